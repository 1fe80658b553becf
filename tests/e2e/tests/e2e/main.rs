//! End-to-end tests: the real Nabij binary in a real WebKit window under Xvfb, driven over
//! WebDriver (WebKitWebDriver). One test binary; each test gets its own display, driver and
//! data directory, and saves screenshots under `target/e2e-screenshots/`.

// Test support code: a failed setup step is a failed test, so panicking is the right report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod a11y;
mod badinput;
mod casefile;
mod caseload;
mod conflict;
mod correction;
mod directory;
mod firststart;
mod flows;
mod followup;
mod frontdoor;
mod harness;
mod home;
mod referral;
mod required;
mod signals;
mod sync;
mod window;
