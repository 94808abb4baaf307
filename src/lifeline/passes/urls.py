from django.urls import path

from lifeline.passes import views

app_name = "passes"

urlpatterns = [
    path("passes/p/<str:pass_id>/", views.holder_pass, name="holder"),
    path("passes/queue/", views.approval_queue, name="queue"),
    path("passes/apply/", views.application_new, name="apply"),
    path("passes/checkpoints/new/", views.checkpoint_new, name="checkpoint_new"),
    path("passes/applications/<int:pk>/decide/", views.application_decide, name="decide"),
    path("passes/checkpoint/", views.checkpoint_verifier, name="checkpoint"),
    path("passes/checkpoint/sw.js", views.service_worker, name="service_worker"),
    path("passes/checkpoint/verifier.js", views.verifier_script, name="verifier_js"),
    path("passes/checkpoints/<str:code>/", views.checkpoint_operations, name="operations"),
    path("passes/checkpoints/<str:code>/relays/", views.relay_register, name="relay_register"),
    path("passes/relays/<int:pk>/advance/", views.relay_advance, name="relay_advance"),
]
