use std::process::ExitCode;

use clap::Parser;
use sobes::{cli::Cli, commands, error};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(usage) => return error::report_usage(&usage).into(),
    };
    let verbose = cli.verbose;
    match commands::run(cli) {
        Ok(status) => status.into(),
        Err(failure) => error::report(&failure, verbose).into(),
    }
}
