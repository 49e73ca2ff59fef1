//! The crate's modules import each other without a cycle (design review 2026-12-06, issue
//! 23): the edges are read from the `use crate::…` and `crate::…::` paths of `src/*.rs`
//! (outside their `#[cfg(test)]` modules), and the graph is sorted topologically.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout,
    clippy::arithmetic_side_effects,
    reason = "a test"
)]

use std::collections::{BTreeMap, BTreeSet};

/// Module → the sibling modules it names, for every file of `src/`.
fn edges() -> BTreeMap<String, BTreeSet<String>> {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files: Vec<_> = std::fs::read_dir(&src)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    let modules: BTreeSet<String> = files
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .filter(|m| m != "lib")
        .collect();
    let mut graph = BTreeMap::new();
    for path in &files {
        let module = path.file_stem().unwrap().to_string_lossy().into_owned();
        if module == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        // The tests of a module may use anything.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        let mut uses = BTreeSet::new();
        for prefix in ["crate::", "super::"] {
            for (at, _) in code.match_indices(prefix) {
                let rest = &code[at + prefix.len()..];
                let names: Vec<&str> = if let Some(list) = rest.strip_prefix('{') {
                    let end = list.find('}').unwrap_or(list.len());
                    list[..end].split(',').collect()
                } else {
                    vec![rest]
                };
                for name in names {
                    let name: String = name
                        .trim()
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    if name != module && modules.contains(&name) {
                        uses.insert(name);
                    }
                }
            }
        }
        graph.insert(module, uses);
    }
    graph
}

#[test]
fn the_modules_form_no_cycle() {
    let graph = edges();
    for (module, uses) in &graph {
        println!(
            "{module} -> {}",
            uses.iter().cloned().collect::<Vec<_>>().join(", ")
        );
    }
    // Kahn's algorithm: repeatedly remove the modules that use no remaining module.
    let mut left = graph.clone();
    let mut order = Vec::new();
    while !left.is_empty() {
        let leaves: Vec<String> = left
            .iter()
            .filter(|(_, uses)| uses.iter().all(|u| !left.contains_key(u)))
            .map(|(m, _)| m.clone())
            .collect();
        assert!(!leaves.is_empty(), "an import cycle among {left:?}");
        for leaf in leaves {
            left.remove(&leaf);
            order.push(leaf);
        }
    }
    println!("from the leaves up: {}", order.join(" < "));
    assert_eq!(order.len(), graph.len());
    // The graph is read: the guard imports the auth module, which names no guard.
    assert!(graph["guard"].contains("auth"));
    assert!(!graph["auth"].contains("guard"));
    assert!(
        graph["config"]
            .iter()
            .all(|m| !["guard", "builder", "auth", "layer"].contains(&m.as_str()))
    );
}
