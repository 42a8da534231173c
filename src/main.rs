use std::process::ExitCode;

use clap::Parser;
use sobes::{cli::Cli, commands, error};

/// jemalloc instead of the system allocator: grading allocates for every answer (tokens,
/// indexes, results), and glibc's malloc and free were about a seventh of a batch profile. A 10,000-line
/// batch takes about a sixth less time at the same peak memory (README, "Speed").
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

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
