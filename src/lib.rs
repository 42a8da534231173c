//! sobes: a command-line trainer for machine-learning and data-science job interviews.
//!
//! Data flows one way: the bank and its rubrics load once ([`bank`], [`rubric`]), the grader is
//! a pure function of (rubric, answer) ([`grade`]), and everything else only consumes grades.

pub mod bank;
pub mod batch;
pub mod cache_db;
pub mod cli;
pub mod commands;
pub mod config;
pub mod embed;
pub mod error;
pub mod eval;
pub mod feedback;
pub mod grade;
pub mod history;
pub mod import;
pub mod llm;
pub mod messages;
pub mod output;
pub mod redact;
pub mod repl;
pub mod report;
pub mod rubric;
pub mod serve;
pub mod session;
pub mod stats;
pub mod ui;
