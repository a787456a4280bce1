#!/usr/bin/env bash
# Debian packages the build and tests need: Pango for WeasyPrint's PDF, poppler-utils
# (pdftotext, pdftoppm) for the PDF tests, and the report's open-licence typefaces (Lato for the
# text, Inter for headings and figures; DejaVu as the fallback) so the PDF is the same everywhere;
# Tesseract, to read the sharing preview as a picture; and for the web tests: Chromium with its
# WebDriver, Node.js and npm (axe-core, from the lock file), and a Java runtime for the W3C Nu
# HTML checker (vnu.jar); LibreOffice Calc (headless) to open and re-save the returns workbook as the team's spreadsheet program would; and a real
# WordPress (with MariaDB and PHP's command line), stood up by the tests in a private folder,
# to paste the CMS fragment into.
# Installs only what is missing; needs root (or sudo) only then.
set -euo pipefail
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils fonts-dejavu-core fonts-lato fonts-inter shared-mime-info
  chromium chromium-driver libreoffice-calc-nogui tesseract-ocr
  wordpress wordpress-theme-twentytwentythree mariadb-server php-cli php-mysql)
# Tools any installation will do (a machine may have Node.js or Java from elsewhere).
declare -A commands=([npm]="nodejs npm" [java]="default-jre-headless")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
for c in "${!commands[@]}"; do
  command -v "$c" >/dev/null || missing+=(${commands[$c]})
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
