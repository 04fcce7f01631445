//! starmill-agama (under construction).
