//! One module per subcommand: argument struct and `run`.

pub mod calibrate;
pub mod commensurability;
pub mod demo;
pub mod merge;
pub mod orbit;
pub mod scan;
pub mod shared;
pub mod synth_night;
pub mod tessellate;
