// No browser download: tests drive Debian's /usr/bin/chromium (see ../shared/HEADLESS-WEBGPU.md).
module.exports = { skipDownload: true };
