#!/usr/bin/env bash
# The daily report's PDF embeds a CJK font: Debian's fonts-noto-cjk (the file named by
# LIFELINE_REPORT_FONT, Noto Sans CJK by default); install it when missing (never a
# downloaded font). Without it the PDF page says the font is missing; nothing else fails.
set -euo pipefail
FONT="${LIFELINE_REPORT_FONT:-/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc}"
if [ -f "$FONT" ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "The CJK font $FONT is missing: run 'apt-get install -y fonts-noto-cjk' as root" >&2
  exit 1
fi
echo "Installing Debian's fonts-noto-cjk for the daily report's PDF"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null
