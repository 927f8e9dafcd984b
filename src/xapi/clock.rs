//! The `stored` clock and `X-Experience-API-Consistent-Through`: a reader must never be
//! told the LRS is consistent past a statement that is still being written.
//! Spec: xAPI-Communication 2.1.3 (Consistent-Through header).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Hands out `stored` timestamps and tracks which writes are still in flight.
#[derive(Clone, Default)]
pub struct WriteClock {
    inner: Arc<Mutex<ClockState>>,
}

#[derive(Default)]
struct ClockState {
    next_ticket: u64,
    /// ticket -> stored timestamp (µs) of writes not yet committed or rolled back.
    in_flight: BTreeMap<u64, i64>,
    last_us: i64,
}

/// Held for the duration of one write; dropping it ends the write.
pub struct WriteTicket {
    clock: WriteClock,
    ticket: u64,
    pub stored: jiff::Timestamp,
}

impl WriteClock {
    /// Starts a write. `stored` has millisecond precision (what the JSON shows) and
    /// never goes backwards on this instance.
    pub fn begin(&self) -> WriteTicket {
        let now_ms = jiff::Timestamp::now().as_millisecond();
        let mut state = self.lock();
        let stored_us = (now_ms * 1000).max(state.last_us);
        state.last_us = stored_us;
        let ticket = state.next_ticket;
        state.next_ticket += 1;
        state.in_flight.insert(ticket, stored_us);
        drop(state);
        WriteTicket {
            clock: self.clone(),
            ticket,
            stored: jiff::Timestamp::from_microsecond(stored_us)
                .unwrap_or_else(|_| jiff::Timestamp::now()),
        }
    }

    /// The latest instant through which every write of this instance is visible.
    pub fn consistent_through(&self) -> jiff::Timestamp {
        let state = self.lock();
        let oldest = state.in_flight.values().min().copied();
        drop(state);
        match oldest {
            Some(us) => {
                jiff::Timestamp::from_microsecond(us - 1000).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
            }
            None => jiff::Timestamp::now(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ClockState> {
        // A poisoned lock only means another thread panicked mid-update of plain data.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl WriteTicket {
    pub fn stored_us(&self) -> i64 {
        self.stored.as_microsecond()
    }
}

impl Drop for WriteTicket {
    fn drop(&mut self) {
        self.clock.lock().in_flight.remove(&self.ticket);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consistent_through_stays_before_an_open_write() {
        let clock = WriteClock::default();
        let ticket = clock.begin();
        assert!(clock.consistent_through() < ticket.stored);
        drop(ticket);
        assert!(
            clock.consistent_through()
                >= jiff::Timestamp::now() - jiff::SignedDuration::from_secs(1)
        );
    }

    #[test]
    fn stored_never_goes_backwards() {
        let clock = WriteClock::default();
        let a = clock.begin().stored;
        let b = clock.begin().stored;
        assert!(b >= a);
    }
}
