//! starmill-tessellation (under construction).
