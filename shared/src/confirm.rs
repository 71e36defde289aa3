//! Yes/no prompts for destructive steps. `--yes` skips them; without a terminal on stdin they
//! refuse instead of hanging, and say to use `--yes`.

use std::io::IsTerminal;

/// A prompt could not be asked, or was answered no.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error(
        "refusing to {action} without --yes (stdin is not a terminal, so there is no one to ask)"
    )]
    NoTerminal { action: String },
    #[error("not confirmed: did not {action}")]
    Declined { action: String },
}

/// Asks "`<action>`?" on the terminal unless `yes` is set. Returns `Ok(())` to go ahead.
pub fn confirm(action: &str, yes: bool) -> Result<(), Refused> {
    decide(action, yes, std::io::stdin().is_terminal(), || {
        dialoguer::Confirm::new()
            .with_prompt(format!("{}?", capitalise(action)))
            .default(false)
            .interact_on(&dialoguer::console::Term::stderr())
            .unwrap_or(false)
    })
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The decision, with the terminal check and the prompt passed in.
pub fn decide(
    action: &str,
    yes: bool,
    terminal: bool,
    ask: impl FnOnce() -> bool,
) -> Result<(), Refused> {
    if yes {
        return Ok(());
    }
    if !terminal {
        return Err(Refused::NoTerminal {
            action: action.to_owned(),
        });
    }
    if ask() {
        Ok(())
    } else {
        Err(Refused::Declined {
            action: action.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yes_skips_the_prompt() {
        decide("delete the canary", true, false, || panic!("must not ask")).expect("go ahead");
    }

    #[test]
    fn no_terminal_refuses_and_names_yes() {
        let err = decide("delete the canary", false, false, || panic!("must not ask")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "refusing to delete the canary without --yes (stdin is not a terminal, so there is no one to ask)"
        );
    }

    #[test]
    fn the_answer_decides_on_a_terminal() {
        decide("scale down", false, true, || true).expect("yes");
        assert!(matches!(
            decide("scale down", false, true, || false),
            Err(Refused::Declined { .. })
        ));
    }
}
