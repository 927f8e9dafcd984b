// jest-puppeteer configuration for running the CATAPULT LMS test suite against Black Belt.
// run.sh points JEST_PUPPETEER_CONFIG here, so the suite's own jest-puppeteer.config.js
// (headful with devtools) is not used and no file of the suite is changed.
// Puppeteer never downloads a browser here: it drives Debian's Chromium.
module.exports = {
    launch: {
        executablePath: process.env.BB_CHROMIUM || "/usr/bin/chromium",
        headless: true,
        args: [
            // root in a container: Chromium's sandbox cannot start
            "--no-sandbox",
            "--disable-dev-shm-usage",
            "--disable-gpu"
        ]
    }
};
