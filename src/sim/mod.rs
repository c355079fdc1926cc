//! The embedded AgentOS simulator (being written).
