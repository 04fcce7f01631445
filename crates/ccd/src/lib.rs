//! starmill-ccd (under construction).
