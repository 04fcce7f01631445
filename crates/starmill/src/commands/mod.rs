//! One module per subcommand: argument struct and `run`.

pub mod tessellate;
