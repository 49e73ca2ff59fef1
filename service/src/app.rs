//! stub
/// stub
pub const DEMO_USERS: &str = "";
/// stub
pub async fn serve(_: crate::config::Serve) -> Result<(), crate::config::Fatal> {
    Ok(())
}
