//! One module per subcommand: argument struct and `run`.

pub mod calibrate;
pub mod commensurability;
pub mod demo;
pub mod orbit;
pub mod synth_night;
pub mod tessellate;
