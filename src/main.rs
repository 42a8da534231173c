use std::process::ExitCode;

use clap::Parser;
use sobes::{app, cli::Cli, error::ExitStatus};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let verbose = cli.verbose;
    match app::run(cli) {
        Ok(status) => status.into(),
        Err(error) => {
            if verbose {
                eprintln!("sobes: error: {error:?}");
            } else {
                eprintln!("sobes: error: {error:#}");
            }
            ExitStatus::of_error(&error).into()
        }
    }
}
