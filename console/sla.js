// The SLA countdown: time left to a ticket's reply deadline (deadline_ms from
// the daemon; 0 when no buyer message is waiting for an answer).

export function timeLeftMs(ticket, now) {
  return ticket.deadline_ms ? ticket.deadline_ms - now : Infinity;
}

// Waiting tickets by time left (the daemon's order too), then by opening.
export function byDeadline(a, b, now) {
  const d = timeLeftMs(a, now) - timeLeftMs(b, now);
  if (d !== 0 && !Number.isNaN(d)) return d;
  return a.opened_ms - b.opened_ms;
}

// "2:05", "-0:12" (late), "" when nothing waits for an answer.
export function formatLeft(ms) {
  if (ms === Infinity) return '';
  const late = ms < 0;
  const s = Math.floor(Math.abs(ms) / 1000);
  return `${late ? '-' : ''}${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function slaClass(ms) {
  if (ms === Infinity) return '';
  if (ms < 0) return 'late';
  return ms < 60000 ? 'soon' : '';
}
