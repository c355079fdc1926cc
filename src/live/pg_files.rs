//! libpq's files, read as libpq reads them: the password file (`PGPASSFILE`, else
//! `~/.pgpass`) and the connection service file (`PGSERVICE` names a section of
//! `PGSERVICEFILE`, else `~/.pg_service.conf`, else `PGSYSCONFDIR/pg_service.conf`).

use super::Env;
use std::path::{Path, PathBuf};

/// The password for this host, port, database and user from the password file, if one matches.
/// Like libpq, a file that group or others can read is ignored (with the reason, for the log).
pub fn password(env: &Env, host: &str, port: u16, dbname: &str, user: &str) -> Result<Option<String>, String> {
    let Some(path) = env.get("PGPASSFILE").map(PathBuf::from).or_else(|| home(env).map(|h| h.join(".pgpass"))) else {
        return Ok(None);
    };
    let Ok(text) = std::fs::read_to_string(&path) else { return Ok(None) };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).map(|m| m.permissions().mode()).unwrap_or(0);
        if mode & 0o077 != 0 {
            return Err(format!(
                "password file {} has group or world access; permissions should be u=rw (0600) or less (ignored, as libpq does)",
                path.display()
            ));
        }
    }
    let port = port.to_string();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields = split_fields(line);
        if fields.len() < 5 {
            continue;
        }
        let ok = |pattern: &str, value: &str| pattern == "*" || pattern == value;
        if ok(&fields[0], host) && ok(&fields[1], &port) && ok(&fields[2], dbname) && ok(&fields[3], user) {
            return Ok(Some(fields[4..].join(":")));
        }
    }
    Ok(None)
}

/// `host:port:db:user:password` with `\:` and `\\` escapes.
fn split_fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    out.last_mut().expect("one field").push(n);
                }
            }
            ':' if out.len() < 5 => out.push(String::new()),
            c => out.last_mut().expect("one field").push(c),
        }
    }
    out
}

/// The `key=value` pairs of the service named by `PGSERVICE`, as a libpq connection string.
/// None without `PGSERVICE`; an error naming the files looked at when the service is in none.
pub fn service(env: &Env) -> Option<Result<String, String>> {
    let name = env.get("PGSERVICE")?;
    let mut files: Vec<PathBuf> = Vec::new();
    if let Some(f) = env.get("PGSERVICEFILE") {
        files.push(PathBuf::from(f));
    } else if let Some(h) = home(env) {
        files.push(h.join(".pg_service.conf"));
    }
    files.push(
        env.get("PGSYSCONFDIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| "/etc/postgresql-common".into())
            .join("pg_service.conf"),
    );
    for f in &files {
        if let Some(pairs) = section(f, name) {
            let text = pairs.iter().map(|(k, v)| pair(k, v)).collect::<Vec<_>>().join(" ");
            return Some(Ok(text));
        }
    }
    let looked: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    Some(Err(format!("PGSERVICE {name:?} is in none of {}", looked.join(", "))))
}

/// The keys of `[name]` in an INI-style service file.
fn section(path: &Path, name: &str) -> Option<Vec<(String, String)>> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut inside = false;
    let mut found = false;
    let mut out = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(head) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            inside = head.trim() == name;
            found |= inside;
            continue;
        }
        if inside && let Some((k, v)) = line.split_once('=') {
            out.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    found.then_some(out)
}

/// `key='value'` in libpq's connection-string quoting.
pub fn pair(key: &str, value: &str) -> String {
    format!("{key}='{}'", value.replace('\\', "\\\\").replace('\'', "\\'"))
}

fn home(env: &Env) -> Option<PathBuf> {
    env.get("HOME").map(PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn home_with(files: &[(&str, &str, u32)]) -> (tempfile::TempDir, Env) {
        let dir = tempfile::tempdir().expect("tmp");
        for (name, text, mode) in files {
            let p = dir.path().join(name);
            std::fs::write(&p, text).expect("write");
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(*mode)).expect("chmod");
            }
        }
        let env = Env::empty().with("HOME", dir.path().display().to_string());
        (dir, env)
    }

    #[test]
    fn the_first_matching_line_gives_the_password_with_wildcards_and_escapes() {
        let pgpass = "# comment\nother:5432:*:*:nope\ndb.internal:5432:agentos:oncall:s3cr\\:et:x\n*:*:*:*:fallback\n";
        let (_d, env) = home_with(&[(".pgpass", pgpass, 0o600)]);
        assert_eq!(password(&env, "db.internal", 5432, "agentos", "oncall"), Ok(Some("s3cr:et:x".into())));
        assert_eq!(password(&env, "elsewhere", 6432, "x", "y"), Ok(Some("fallback".into())));
    }

    #[test]
    fn a_file_others_can_read_is_ignored_with_the_reason() {
        let (_d, env) = home_with(&[(".pgpass", "*:*:*:*:pw\n", 0o644)]);
        let err = password(&env, "h", 5432, "d", "u").expect_err("ignored");
        assert!(err.contains("0600") && !err.contains("pw\n"), "{err}");
    }

    #[test]
    fn a_service_section_becomes_a_connection_string() {
        let conf = "[other]\nhost=a\n\n[agentos]\nhost=db.internal\nport = 6432\ndbname=agentos\n";
        let (_d, env) = home_with(&[(".pg_service.conf", conf, 0o644)]);
        let env = env.with("PGSERVICE", "agentos");
        assert_eq!(service(&env), Some(Ok("host='db.internal' port='6432' dbname='agentos'".into())));
        let missing = service(&env.with("PGSERVICE", "nosuch")).expect("set").expect_err("not found");
        assert!(missing.contains("\"nosuch\" is in none of"), "{missing}");
        assert_eq!(service(&Env::empty()), None);
    }
}
