//! `marking/cycle`: data markings may themselves be marked (a `markings` list on a marking
//! object), but never in a loop.

use foldhash::HashMap;

use super::Context;
use crate::diagnostic::{Place, Rule};
use crate::json::NodeId;

pub(crate) fn check(context: &mut Context<'_>) {
    let document = context.document;
    let definitions: Vec<_> = context.definitions("data_marking_definitions").collect();
    let index: HashMap<&str, usize> = definitions
        .iter()
        .enumerate()
        .map(|(position, definition)| (definition.key, position))
        .collect();

    // Edges: marking -> (marking it lists, the list item that says so).
    let edges: Vec<Vec<(usize, NodeId)>> = definitions
        .iter()
        .map(|definition| {
            document
                .get(definition.node, "markings")
                .map(|list| {
                    document
                        .items(list)
                        .filter_map(|item| {
                            let target = document.as_str(item)?;
                            Some((*index.get(target)?, item))
                        })
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect();

    // Depth-first search with an explicit stack; each loop is reported once, at the edge that
    // closes it.
    const NEW: u8 = 0;
    const ACTIVE: u8 = 1;
    const DONE: u8 = 2;
    let mut state = vec![NEW; definitions.len()];
    for root in 0..definitions.len() {
        if state[root] != NEW {
            continue;
        }
        let mut path: Vec<(usize, usize)> = vec![(root, 0)];
        state[root] = ACTIVE;
        while let Some(frame) = path.last_mut() {
            let node = frame.0;
            let Some(&(next, item)) = edges[node].get(frame.1) else {
                state[node] = DONE;
                path.pop();
                continue;
            };
            frame.1 += 1;
            match state[next] {
                NEW => {
                    state[next] = ACTIVE;
                    path.push((next, 0));
                }
                ACTIVE => {
                    let start = path.iter().position(|(step, _)| *step == next).unwrap_or(0);
                    let names: Vec<String> = path[start..]
                        .iter()
                        .map(|(step, _)| format!("`{}`", definitions[*step].key))
                        .chain(std::iter::once(format!("`{}`", definitions[next].key)))
                        .collect();
                    context.report(
                        Rule::MarkingCycle,
                        Place::Node(item),
                        format!("data markings mark each other in a loop: {}", names.join(" → ")),
                        "remove one of these `markings` entries; a marking must not (indirectly) mark itself",
                    );
                }
                _ => {}
            }
        }
    }
}
