//! One module per subcommand: argument struct and `run`.

pub mod tessellate;
pub mod calibrate;
pub mod synth_night;
pub mod orbit;
