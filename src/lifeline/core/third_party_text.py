"""Words that other packages show on our pages (the admin) without a translation of their
own: listed here so that makemessages puts them in Lifeline's catalogue."""

from django.utils.translation import gettext_noop

THIRD_PARTY_TEXT = (
    gettext_noop("Task Result"),
    gettext_noop("Task Results"),
)
