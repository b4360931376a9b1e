//! The one function that touches the disk: put sets of generated files in place atomically.
//!
//! Every file of every set is first written to a temporary folder beside its target folder
//! (same file system, so a rename is atomic); only when all are written are they renamed into
//! place. A failure while writing leaves every previous file untouched and removes the
//! temporary folders. Generated files of an earlier run that the new run no longer produces
//! (a dropped table) are removed, recognised by their first line ([`crate::BANNER_PREFIX`]);
//! files without it are never touched.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::{BANNER_PREFIX, OutputFile, Overwrite};

/// What a write did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteSummary {
    /// Files written (full paths), sorted.
    pub written: Vec<PathBuf>,
    /// Files kept because they exist and are written only when absent.
    pub kept: Vec<PathBuf>,
    /// Stale generated files removed.
    pub removed: Vec<PathBuf>,
}

/// A folder being staged: its temporary twin and the files to move.
struct Staged {
    temp: PathBuf,
    moves: Vec<(PathBuf, PathBuf)>,
    stale: Vec<PathBuf>,
}

/// Write each `(folder, files)` set. Folders are created when missing.
pub fn write_file_sets(sets: &[(&Path, &[OutputFile])]) -> Result<WriteSummary> {
    let mut staged = Vec::new();
    let mut summary = WriteSummary::default();
    for (dir, files) in sets {
        match stage(dir, files, &mut summary) {
            Ok(s) => staged.push(s),
            Err(e) => {
                for s in &staged {
                    let _ = fs::remove_dir_all(&s.temp);
                }
                return Err(e);
            }
        }
    }
    for s in &staged {
        for (from, to) in &s.moves {
            if let Some(parent) = to.parent() {
                fs::create_dir_all(parent).map_err(Error::io(parent))?;
            }
            fs::rename(from, to).map_err(Error::io(to))?;
            summary.written.push(to.clone());
        }
        for f in &s.stale {
            fs::remove_file(f).map_err(Error::io(f))?;
            summary.removed.push(f.clone());
        }
        fs::remove_dir_all(&s.temp).map_err(Error::io(&s.temp))?;
    }
    summary.written.sort();
    summary.removed.sort();
    summary.kept.sort();
    Ok(summary)
}

fn stage(dir: &Path, files: &[OutputFile], summary: &mut WriteSummary) -> Result<Staged> {
    fs::create_dir_all(dir).map_err(Error::io(dir))?;
    let name = dir.file_name().map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let temp = parent.join(format!(".{name}.sqlite2pg-{}", std::process::id()));
    if temp.exists() {
        fs::remove_dir_all(&temp).map_err(Error::io(&temp))?;
    }
    let mut staged = Staged { temp: temp.clone(), moves: Vec::new(), stale: Vec::new() };
    let result = (|| {
        for f in files {
            let target = dir.join(&f.path);
            if f.overwrite == Overwrite::IfAbsent && target.exists() {
                summary.kept.push(target);
                continue;
            }
            let tmp = temp.join(&f.path);
            if let Some(p) = tmp.parent() {
                fs::create_dir_all(p).map_err(Error::io(p))?;
            }
            fs::write(&tmp, &f.contents).map_err(Error::io(&tmp))?;
            staged.moves.push((tmp, target));
        }
        // Stale generated files: in the folders this set writes to, not produced now.
        let mut folders: Vec<PathBuf> = files.iter().map(|f| dir.join(&f.path).parent().map(Path::to_path_buf).unwrap_or_else(|| dir.to_path_buf())).collect();
        folders.sort();
        folders.dedup();
        for folder in folders {
            let Ok(entries) = fs::read_dir(&folder) else { continue };
            let mut found: Vec<PathBuf> = entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "rs")).collect();
            found.sort();
            for path in found {
                let produced = files.iter().any(|f| dir.join(&f.path) == path);
                if !produced && is_generated(&path) {
                    staged.stale.push(path);
                }
            }
        }
        Ok(())
    })();
    match result {
        Ok(()) => Ok(staged),
        Err(e) => {
            let _ = fs::remove_dir_all(&temp);
            Err(e)
        }
    }
}

fn is_generated(path: &Path) -> bool {
    fs::read_to_string(path).is_ok_and(|s| s.starts_with(BANNER_PREFIX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, contents: &str) -> OutputFile {
        OutputFile { path: path.into(), contents: contents.to_string(), overwrite: Overwrite::Always }
    }

    #[test]
    fn writes_replaces_and_removes_only_generated_stale_files() -> Result<()> {
        let tmp = tempfile::tempdir().map_err(Error::io("tempdir"))?;
        let dir = tmp.path().join("out");
        let first = [file("a.rs", "//! Generated by sqlite2pg a\n"), file("b.rs", "//! Generated by sqlite2pg b\n")];
        write_file_sets(&[(&dir, &first)])?;
        fs::write(dir.join("mine.rs"), "//! hand-written\n").map_err(Error::io("mine"))?;
        let second = [file("a.rs", "//! Generated by sqlite2pg a2\n"), OutputFile { overwrite: Overwrite::IfAbsent, ..file("mine.rs", "x") }];
        let summary = write_file_sets(&[(&dir, &second)])?;
        assert_eq!(fs::read_to_string(dir.join("a.rs")).ok().as_deref(), Some("//! Generated by sqlite2pg a2\n"));
        assert!(!dir.join("b.rs").exists(), "stale generated file removed");
        assert_eq!(fs::read_to_string(dir.join("mine.rs")).ok().as_deref(), Some("//! hand-written\n"));
        assert_eq!(summary.removed, vec![dir.join("b.rs")]);
        assert!(fs::read_dir(tmp.path()).map_err(Error::io("ls"))?.flatten().all(|e| !e.file_name().to_string_lossy().starts_with('.')), "no temporary folder left");
        Ok(())
    }

    #[test]
    fn a_failed_write_leaves_previous_files_untouched() -> Result<()> {
        let tmp = tempfile::tempdir().map_err(Error::io("tempdir"))?;
        let dir = tmp.path().join("out");
        write_file_sets(&[(&dir, &[file("a.rs", "//! Generated by sqlite2pg old\n")])])?;
        // A path that cannot be written (a file where a folder must go) fails the second set.
        let blocker = tmp.path().join("blocked");
        fs::write(&blocker, "not a folder").map_err(Error::io("blocker"))?;
        let result = write_file_sets(&[(&dir, &[file("a.rs", "//! Generated by sqlite2pg new\n")]), (&blocker, &[file("x.rs", "x")])]);
        assert!(result.is_err());
        assert_eq!(fs::read_to_string(dir.join("a.rs")).ok().as_deref(), Some("//! Generated by sqlite2pg old\n"));
        Ok(())
    }
}
