//! The Nabij desktop app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    match nabij_app::run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("Nabij kon niet starten / Nabij could not start: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
