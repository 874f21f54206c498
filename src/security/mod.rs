// STAND-IN for R1's module; the lead keeps R1's at merge.
//! CURVE security of the client: the servers it trusts.

pub mod known_servers;
