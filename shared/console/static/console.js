// The local console's page: it renders the state the server streams (GET api/events) and posts
// what the developer does as a customer, an agent or the clock (POST api/...). Plain DOM, no
// libraries, nothing fetched from elsewhere; every text from the stack goes in as a text node.
'use strict';

(() => {
  const base = '/_local/console/api/';
  const $ = (id) => document.getElementById(id);
  const surfaceNames = { whatsapp: 'WhatsApp', messenger: 'Messenger', instagram: 'Instagram', comment: 'Page comment' };
  // Slack's emoji codes in frontdesk's status lines, as characters every system font has.
  const emoji = {
    sos: '🆘', raising_hand: '🙋', white_check_mark: '✅', robot_face: '🤖', speech_balloon: '💬', star: '⭐',
    outbox_tray: '📤', hourglass_flowing_sand: '⏳', warning: '⚠️', information_source: 'ℹ️', x: '❌', zzz: '💤',
    no_entry: '⛔', memo: '📝', bell: '🔔', link: '🔗', telephone_receiver: '📞',
  };

  let state = null;
  let announced = 0; // the last item read out to a screen reader
  const sel = { surface: 'whatsapp', key: '' };
  const drafts = {}; // thread ts -> unsent reply text, kept across renders
  const choices = {}; // message ts + "/" + action id -> the option chosen in a select, kept across renders

  // el builds an element: el('div', {class: 'x', text: 'y', onclick: f}, child, ...).
  function el(tag, attrs, ...children) {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'text') n.textContent = v;
      else if (k === 'class') n.className = v;
      else if (k.startsWith('on')) n.addEventListener(k.slice(2), v);
      else if (k === 'dataset') Object.assign(n.dataset, v);
      else n.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      n.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return n;
  }

  function setStatus(msg, isError) {
    const s = $('status');
    s.textContent = msg || '';
    s.classList.toggle('error', !!isError);
  }

  async function post(path, body) {
    try {
      const resp = await fetch(base + path, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body || {}),
      });
      const out = await resp.json().catch(() => ({}));
      if (!resp.ok) {
        setStatus(out.error || resp.statusText, true);
        return null;
      }
      setStatus('');
      return out;
    } catch (e) {
      setStatus('The local stack does not answer: ' + e.message, true);
      return null;
    }
  }

  // ---- time ----

  function fmtTime(iso) {
    const d = new Date(iso);
    return d.toLocaleString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZone: 'UTC' }) + ' UTC';
  }
  function fmtClock(iso) {
    const d = new Date(iso);
    return d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });
  }

  // ---- Slack mrkdwn ----

  function inline(text, into) {
    const re = /(\*[^*\n]+\*|_[^_\n]+_|`[^`\n]+`|~[^~\n]+~|:[a-z0-9_+-]+:)/g;
    let last = 0;
    for (const m of text.matchAll(re)) {
      if (m.index > last) into.append(unescapeSlack(text.slice(last, m.index)));
      const t = m[0];
      const inner = unescapeSlack(t.slice(1, -1));
      if (t[0] === '*') into.append(el('strong', { text: inner }));
      else if (t[0] === '_') into.append(el('em', { text: inner }));
      else if (t[0] === '`') into.append(el('code', { text: inner }));
      else if (t[0] === '~') into.append(el('s', { text: inner }));
      else into.append(emoji[t.slice(1, -1)] || t);
      last = m.index + t.length;
    }
    if (last < text.length) into.append(unescapeSlack(text.slice(last)));
  }

  function unescapeSlack(s) {
    return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  }

  // special renders Slack's <...> forms: mentions, dates, links.
  function special(inner) {
    if (inner.startsWith('@')) return el('span', { class: 'mention', text: '@' + inner.slice(1).split('|')[0] });
    if (inner.startsWith('!date^')) {
      const [spec, fallback] = inner.split('|');
      const secs = Number(spec.split('^')[1]);
      return el('time', { datetime: new Date(secs * 1000).toISOString(), text: secs ? fmtTime(new Date(secs * 1000).toISOString()) : (fallback || '') });
    }
    if (inner.startsWith('!')) return el('span', { class: 'mention', text: '@' + inner.slice(1).split('|')[0] });
    const [url, label] = inner.split('|');
    if (/^https?:\/\//.test(url)) return el('a', { href: url, rel: 'noreferrer', target: '_blank', text: unescapeSlack(label || url) });
    return document.createTextNode(unescapeSlack(label || url));
  }

  function mrkdwnLine(line, into) {
    const re = /<([^<>]+)>/g;
    let last = 0;
    for (const m of line.matchAll(re)) {
      if (m.index > last) inline(line.slice(last, m.index), into);
      into.append(special(m[1]));
      last = m.index + m[0].length;
    }
    if (last < line.length) inline(line.slice(last), into);
  }

  function mrkdwn(text, plain) {
    const box = el('div', { class: 'mrkdwn' });
    if (plain) {
      box.textContent = text;
      return box;
    }
    let quote = null;
    for (const raw of String(text || '').split('\n')) {
      const isQuote = raw.startsWith('&gt;') || raw.startsWith('>');
      const line = isQuote ? raw.replace(/^(&gt;|>)\s?/, '') : raw;
      const p = el('div', { class: 'line' });
      mrkdwnLine(line, p);
      if (isQuote) {
        if (!quote) {
          quote = el('blockquote');
          box.append(quote);
        }
        quote.append(p);
      } else {
        quote = null;
        box.append(p);
      }
    }
    return box;
  }

  // ---- Block Kit ----

  function textObj(t) {
    if (!t) return null;
    return mrkdwn(t.text, t.type === 'plain_text');
  }

  function slackButton(b, msg) {
    const label = b.text ? b.text.text : b.action_id;
    return el('button', {
      type: 'button', class: 'sbutton ' + (b.style || ''), text: label,
      dataset: { action: b.action_id, value: b.value || '' },
      onclick: () => {
        // As Slack does, a press carries the message's select in its state.
        const chosen = msg.selects.find((x) => x.el.value);
        post('slack/press', {
          channel: msg.channel, message_ts: msg.ts, thread_ts: msg.thread || '', action_id: b.action_id, value: b.value || '', block_id: msg.blockIDs.get(b) || '',
          selected: chosen ? chosen.el.value : '', select_block: chosen ? chosen.block : '', select_action: chosen ? chosen.action : '',
        });
      },
    });
  }

  // staticSelect renders a static_select: its options, the initial one chosen unless the
  // developer chose another (kept across renders).
  function staticSelect(s, blockID, msg) {
    const key = msg.ts + '/' + s.action_id;
    const placeholder = s.placeholder ? s.placeholder.text : 'Choose';
    const chosen = choices[key] !== undefined ? choices[key] : (s.initial_option ? s.initial_option.value : '');
    const node = el('select', {
      id: 'select-' + key.replace(/\W/g, '_'), class: 'sselect', 'aria-label': placeholder, dataset: { action: s.action_id },
      onchange: (e) => { choices[key] = e.target.value; },
    }, chosen ? null : el('option', { value: '', text: placeholder, disabled: true }),
    (s.options || []).map((o) => el('option', { value: o.value, text: o.text ? o.text.text : o.value })));
    node.value = chosen;
    msg.selects.push({ block: blockID, action: s.action_id, el: node });
    return node;
  }

  function blocks(list, msg) {
    const box = el('div', { class: 'blocks' });
    msg.blockIDs = new Map();
    msg.selects = [];
    for (const b of list || []) {
      switch (b.type) {
        case 'header':
          box.append(el('h3', { class: 'bk-header', text: b.text ? b.text.text : '' }));
          break;
        case 'section': {
          const sec = el('div', { class: 'bk-section' });
          const main = el('div', { class: 'bk-main' });
          if (b.text) main.append(textObj(b.text));
          if (b.fields) main.append(el('div', { class: 'bk-fields' }, b.fields.map(textObj)));
          sec.append(main);
          if (b.accessory && b.accessory.type === 'button') {
            msg.blockIDs.set(b.accessory, b.block_id);
            sec.append(slackButton(b.accessory, msg));
          }
          box.append(sec);
          break;
        }
        case 'actions': {
          const row = el('div', { class: 'bk-actions', role: 'group', 'aria-label': 'Actions' });
          for (const e of b.elements || []) {
            msg.blockIDs.set(e, b.block_id);
            if (e.type === 'button') row.append(slackButton(e, msg));
            else if (e.type === 'static_select') row.append(staticSelect(e, b.block_id, msg));
          }
          box.append(row);
          break;
        }
        case 'context':
          box.append(el('div', { class: 'bk-context' }, (b.elements || []).map((e) => (e.text !== undefined ? mrkdwn(e.text, e.type === 'plain_text') : null))));
          break;
        case 'divider':
          box.append(el('hr', { class: 'bk-divider' }));
          break;
        default:
          box.append(el('div', { class: 'bk-unknown', text: '[' + b.type + ' block]' }));
      }
    }
    return box;
  }

  // ---- the desk: the Slack channel rebuilt from the calls the bot made ----

  function deskModel(items) {
    const byTS = new Map();
    const order = [];
    for (const it of items) {
      if (it.type === 'call' && it.call.service === 'slack') {
        const body = it.call.body || {};
        const resp = it.call.response || {};
        const path = it.call.path;
        if (path.endsWith('chat.postMessage') || path.endsWith('chat.postEphemeral')) {
          const ts = resp.ts || resp.message_ts || String(it.seq);
          const m = {
            ts, channel: body.channel, thread: body.thread_ts || '', text: body.text || '', blocks: body.blocks, author: 'bot', at: it.at,
            broadcast: body.reply_broadcast === true || body.reply_broadcast === 'true', ephemeral: path.endsWith('chat.postEphemeral'),
          };
          byTS.set(ts, m);
          order.push(m);
        } else if (path.endsWith('files.completeUploadExternal')) {
          // A customer's file uploaded into the thread: its comment and the file's title.
          let files = body.files || [];
          if (typeof files === 'string') { try { files = JSON.parse(files); } catch (e) { files = []; } }
          const titles = files.map((f) => f.title || f.id).join(', ');
          const m = {
            ts: 'file' + it.seq, channel: body.channel_id, thread: body.thread_ts || '', author: 'bot', at: it.at,
            text: (body.initial_comment || '') + '\n📎 ' + titles,
          };
          order.push(m);
        } else if (path.endsWith('chat.update')) {
          const m = byTS.get(body.ts);
          if (m) {
            m.text = body.text || m.text;
            m.blocks = body.blocks;
            m.edited = true;
          }
        }
      } else if (it.type === 'agent' && it.agent.kind === 'reply') {
        const a = it.agent;
        const m = { ts: a.ts, channel: a.channel, thread: a.thread_ts, text: a.text, author: 'agent', user: a.user, at: it.at, failed: it.status && it.status !== 200 ? it.text : '' };
        byTS.set(a.ts, m);
        order.push(m);
      } else if (it.type === 'clock' || it.type === 'sweep') {
        order.push({ system: true, text: it.text, at: it.at, ts: 'sys' + it.seq });
      }
    }
    const top = [];
    const threads = new Map();
    for (const m of order) {
      if (m.system || !m.thread || m.thread === m.ts) {
        top.push(m);
        continue;
      }
      if (!threads.has(m.thread)) threads.set(m.thread, []);
      threads.get(m.thread).push(m);
      if (m.broadcast) top.push(Object.assign({}, m, { alsoInChannel: true }));
    }
    return { top, threads };
  }

  function slackMessage(m) {
    const isNote = m.author === 'agent' && /^\s*note:/i.test(m.text);
    const who = m.author === 'agent' ? 'Agent ' + (m.user || '') : 'frontdesk';
    const head = el('div', { class: 'smsg-head' },
      el('span', { class: 'who', text: who }),
      m.author === 'bot' ? el('span', { class: 'app', text: 'APP' }) : null,
      el('time', { datetime: m.at, text: fmtClock(m.at) }),
      m.edited ? el('span', { class: 'muted', text: '(edited)' }) : null,
      isNote ? el('span', { class: 'tag', text: 'internal note' }) : null,
      m.ephemeral ? el('span', { class: 'tag', text: 'only visible to you' }) : null,
      m.alsoInChannel ? el('span', { class: 'tag', text: 'replied to a thread' }) : null,
    );
    const conv = !m.thread && state.threads && state.threads[m.ts];
    const owner = conv && state.customers.find((c) => c.key === conv);
    if (owner) {
      head.append(el('button', {
        type: 'button', class: 'open-chat', text: 'Open ' + owner.name + '’s chat',
        onclick: () => openChat(owner),
      }));
    }
    const body = m.blocks && m.blocks.length ? blocks(m.blocks, m) : mrkdwn(m.author === 'agent' ? escapeForMrkdwn(m.text) : m.text);
    return el('article', { class: 'smsg ' + m.author + (isNote ? ' note' : ''), dataset: { ts: m.ts } },
      el('div', { class: 'avatar', 'aria-hidden': 'true', text: m.author === 'agent' ? 'A' : 'fd' }),
      el('div', { class: 'smsg-body' }, head, body, m.failed ? el('p', { class: 'error', text: 'Slack request refused: ' + m.failed }) : null));
  }

  // An agent's text is what they typed, not Slack-escaped markup.
  function escapeForMrkdwn(s) {
    return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  }

  function threadComposer(parent) {
    const id = 'reply-' + parent.ts.replace(/\W/g, '_');
    const input = el('input', {
      id, name: 'text', autocomplete: 'off', required: true, placeholder: 'Reply… (start with note: to keep it internal)',
      value: drafts[parent.ts] || '', oninput: (e) => { drafts[parent.ts] = e.target.value; },
    });
    input.value = drafts[parent.ts] || '';
    return el('form', {
      class: 'composer thread-composer', dataset: { thread: parent.ts },
      onsubmit: async (e) => {
        e.preventDefault();
        const text = input.value.trim();
        if (!text) return;
        drafts[parent.ts] = '';
        input.value = '';
        await post('slack/reply', { channel: parent.channel, thread_ts: parent.ts, text });
      },
    }, el('label', { for: id, class: 'sr-only', text: 'Reply in the thread' }), input, el('button', { type: 'submit', text: 'Reply' }));
  }

  function renderDesk() {
    const { top, threads } = deskModel(state.items);
    const box = $('desk');
    const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
    const nodes = [];
    for (const m of top) {
      if (m.system) {
        nodes.push(el('div', { class: 'divider', role: 'separator', text: m.text }));
        continue;
      }
      const replies = threads.get(m.ts) || [];
      const wrap = el('div', { class: 'sthread', dataset: { ts: m.ts } }, slackMessage(m));
      if (!m.alsoInChannel && (replies.length || m.author === 'bot')) {
        wrap.append(el('div', { class: 'replies', role: 'group', 'aria-label': 'Thread' },
          el('div', { class: 'replies-count', text: replies.length === 1 ? '1 reply' : replies.length + ' replies' }),
          replies.map(slackMessage), threadComposer(m)));
      }
      nodes.push(wrap);
    }
    if (!nodes.length) nodes.push(el('p', { class: 'empty', text: 'No escalations yet. Ask for a person in the customer\'s chat.' }));
    keepFocus(() => box.replaceChildren(...nodes));
    if (nearBottom) box.scrollTop = box.scrollHeight;
  }

  // keepFocus re-renders without losing the focused input (and its caret).
  function keepFocus(render) {
    const a = document.activeElement;
    const id = a && a.id;
    const start = a && a.selectionStart;
    render();
    if (id && document.activeElement !== a) {
      const n = document.getElementById(id);
      if (n) {
        n.focus();
        if (start !== undefined && start !== null && n.setSelectionRange) n.setSelectionRange(start, start);
      }
    }
  }

  // ---- the customer's chat ----

  function customer() {
    return state.customers.find((c) => c.key === sel.key);
  }

  function tap(id, title) {
    const c = customer();
    post('say', { surface: c.surface, user: c.user, name: c.name, text: title, payload: id });
  }

  // botBubble renders what the bot (or an agent through it) sent: text, buttons, list, quick
  // replies, template.
  function botBubble(call, who) {
    const b = call.body || {};
    const parts = [];
    const opts = [];
    const labels = [];
    if (call.service === 'whatsapp') {
      if (b.type === 'template' && b.template) {
        const lang = b.template.language ? b.template.language.code : '';
        return el('div', { class: 'bubble in template ' + who },
          el('div', { class: 'tag', text: 'Template message' }),
          el('div', { class: 'template-name', text: b.template.name + (lang ? ' (' + lang + ')' : '') }),
          el('div', { class: 'muted small', text: 'An approved template: the only message allowed after the 24-hour window. The customer sees its approved text.' }));
      }
      if (b.text) parts.push(b.text.body);
      if (b.interactive) {
        parts.push(b.interactive.body ? b.interactive.body.text : '');
        const act = b.interactive.action || {};
        for (const x of act.buttons || []) opts.push({ id: x.reply.id, title: x.reply.title });
        if (act.sections) {
          labels.push(act.button || 'Options');
          for (const s of act.sections) for (const r of s.rows || []) opts.push({ id: r.id, title: r.title, list: true });
        }
      }
    } else {
      const m = b.message || {};
      parts.push(m.text || '');
      for (const q of m.quick_replies || []) opts.push({ id: q.payload, title: q.title, quick: true });
      if (b.tag) labels.push('sent with the ' + b.tag + ' tag');
      if (b.recipient && b.recipient.comment_id) labels.push('private reply to the comment, in Messenger');
    }
    const bubble = el('div', { class: 'bubble in ' + who },
      who === 'agent' ? el('div', { class: 'tag', text: 'Agent' }) : null,
      el('div', { class: 'text', text: parts.filter(Boolean).join('\n') }),
      labels.map((l) => el('div', { class: 'muted small', text: l })));
    if (opts.length) {
      const group = el('div', { class: opts[0].quick ? 'quick-replies' : (opts[0].list ? 'list-rows' : 'wa-buttons'), role: 'group', 'aria-label': 'Options' },
        opts.map((o) => el('button', { type: 'button', class: 'option', text: o.title, dataset: { payload: o.id }, onclick: () => tap(o.id, o.title) })));
      bubble.append(group);
    }
    return bubble;
  }

  const reasonText = {
    asked_for_human: 'asked for a person', no_match: 'the bot found no answer', human_topic: 'a topic for a person', unreadable_media: 'sent media the bot cannot read',
  };

  function reasoning(d) {
    if (!d) return el('div', { class: 'reasoning empty' });
    const rows = [];
    const row = (k, v) => rows.push(el('dt', { text: k }), el('dd', {}, v));
    if (d.kind === 'agent') {
      row('Decision', el('strong', { text: 'agent reply: ' + d.action.replace('_', ' ') }));
    } else if (d.kind === 'consent') {
      row('Decision', el('strong', { text: 'consent command' }));
      row('Handled by', 'the consent ledger (no FAQ match)');
    } else {
      row('Decision', el('strong', { text: d.action.replace('_', ' ') }));
      row('Language', d.locale || '–');
      if (d.entry) row('Entry', el('code', { text: d.entry }));
      row('Confidence', d.confidence ? d.confidence.toFixed(2) : '–');
      if (d.top && d.top.length) {
        row(d.top.length === 3 ? 'Top three' : 'Top', el('ol', { class: 'top3' }, d.top.map((c) => el('li', {}, el('code', { text: c.entry }), ' ' + c.score.toFixed(2)))));
      }
      if (d.reason) row('Escalated', reasonText[d.reason] || d.reason);
    }
    if (d.window) row('Window', d.window);
    return el('aside', { class: 'reasoning ' + d.kind, 'aria-label': 'The bot\'s reasoning' }, el('dl', {}, rows));
  }

  function chatRow(bubble, aside, cls) {
    return el('div', { class: 'row ' + (cls || '') }, el('div', { class: 'bubble-col' }, bubble), aside || el('div', { class: 'reasoning empty' }));
  }

  function renderChat() {
    const box = $('chat');
    box.dataset.surface = sel.surface;
    const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
    const rows = [];
    let pending = null;
    const flush = () => {
      if (pending) rows.push(chatRow(el('div', { class: 'bubble none', text: pending.kind === 'agent' ? 'The agent\'s reply was not sent.' : 'Nothing sent.' }), reasoning(pending)));
      pending = null;
    };
    for (const it of state.items) {
      if (it.type === 'clock' || it.type === 'sweep') {
        rows.push(el('div', { class: 'divider', role: 'separator', text: it.text }));
        continue;
      }
      if (it.conv !== sel.key) continue;
      if (it.type === 'customer') {
        flush();
        const m = it.customer;
        const failed = it.status && it.status !== 200;
        rows.push(chatRow(el('div', { class: 'bubble out' },
          el('div', { class: 'text', text: m.text }),
          el('div', { class: 'meta' }, m.payload ? 'tapped · ' : '', el('time', { datetime: it.at, text: fmtClock(it.at) })),
          failed ? el('p', { class: 'error', text: 'The webhook refused it: ' + it.text }) : null), null, 'customer'));
      } else if (it.type === 'decision') {
        flush();
        pending = it.decision;
      } else if (it.type === 'call') {
        const who = pending && pending.kind === 'agent' ? 'agent' : 'bot';
        const bubble = botBubble(it.call, who);
        bubble.append(el('div', { class: 'meta' }, el('time', { datetime: it.at, text: fmtClock(it.at) })));
        rows.push(chatRow(bubble, reasoning(pending), who));
        pending = null;
      }
    }
    flush();
    if (!rows.some((r) => r.classList.contains('row'))) {
      rows.push(el('p', { class: 'empty', text: 'Write as ' + (customer() ? customer().name : 'the customer') + ': try “Wie lange dauert die Lieferung?” or “I want to talk to a person”.' }));
    }
    box.replaceChildren(...rows);
    if (nearBottom) box.scrollTop = box.scrollHeight;
  }

  const stateText = { granted: 'allowed', denied: 'refused' };

  function renderConsent() {
    const box = $('consent');
    const v = state.consent && state.consent[sel.key];
    if (!v) {
      box.hidden = true;
      return;
    }
    box.hidden = false;
    const summary = el('p', {},
      el('strong', { text: 'Ad-data sharing: ' + (stateText[v.state] || v.state) }),
      v.explicit ? ' — ' + v.source + ', ' + fmtTime(v.at) : ' — no decision recorded, the regime\'s default');
    const hist = v.history && v.history.length
      ? el('details', {}, el('summary', { text: 'History (' + v.history.length + ')' }),
        el('ol', {}, v.history.map((h) => el('li', { text: fmtTime(h.at) + ': ' + (stateText[h.state] || h.state) + ' by ' + h.actor + ' (' + h.source + (h.surface ? ', ' + h.surface : '') + ')' }))))
      : el('span', { class: 'muted', text: 'Try “STOP ADS” or “stop” to refuse.' });
    box.replaceChildren(summary, hist);
  }

  function renderClock() {
    $('clock-now').textContent = fmtTime(state.now);
    $('clock-offset').textContent = state.offset;
    $('clock-offset').classList.toggle('ahead', state.offsetSeconds > 0);
    $('sweep').hidden = !state.sweeper;
    $('agent-id').textContent = state.agent;
  }

  // ---- picking a customer ----

  function buildPicker() {
    const fs = $('surfaces');
    for (const [s, name] of Object.entries(surfaceNames)) {
      const id = 'surface-' + s;
      const input = el('input', { type: 'radio', name: 'surface', id, value: s, checked: s === sel.surface, onchange: () => pickSurface(s) });
      fs.append(el('span', { class: 'surface ' + s }, input, el('label', { for: id, text: name })));
    }
    $('customer-pick').addEventListener('change', (e) => {
      sel.key = e.target.value;
      render();
    });
    pickSurface(sel.surface);
  }

  // openChat shows the customer's chat (from a card on the desk).
  function openChat(c) {
    $('surface-' + c.surface).checked = true;
    pickSurface(c.surface);
    $('customer-pick').value = c.key;
    sel.key = c.key;
    render();
    $('say-text').focus();
  }

  function pickSurface(s) {
    sel.surface = s;
    const list = state.customers.filter((c) => c.surface === s);
    $('customer-pick').replaceChildren(...list.map((c) => el('option', { value: c.key, text: c.name })));
    sel.key = list.length ? list[0].key : '';
    $('say-text').placeholder = s === 'comment' ? 'Comment under the post as the customer…' : 'Write as the customer…';
    render();
  }

  // announce reads out what is new, once: the chat and the desk are re-rendered whole, so they
  // are not live regions themselves.
  function announce() {
    const lines = [];
    for (const it of state.items) {
      if (it.seq <= announced) continue;
      if (it.type === 'call' && it.conv === sel.key) {
        const b = it.call.body || {};
        const text = (b.text && b.text.body) || (b.interactive && b.interactive.body && b.interactive.body.text) || (b.message && b.message.text) || (b.template ? 'template ' + b.template.name : '');
        if (text) lines.push('Reply to the customer: ' + text);
      } else if (it.type === 'call' && it.call.service === 'slack' && it.call.path.endsWith('chat.postMessage')) {
        lines.push('Desk: ' + ((it.call.body && it.call.body.text) || ''));
      } else if (it.type === 'clock' || it.type === 'sweep') {
        lines.push(it.text);
      }
    }
    if (state.items.length) announced = state.items[state.items.length - 1].seq;
    if (lines.length) $('announce').textContent = lines.join('. ');
  }

  function render() {
    if (!state) return;
    announce();
    renderClock();
    renderConsent();
    renderChat();
    renderDesk();
  }

  // ---- wiring ----

  $('say').addEventListener('submit', async (e) => {
    e.preventDefault();
    const input = $('say-text');
    const text = input.value.trim();
    const c = customer();
    if (!text || !c) return;
    input.value = '';
    const ok = await post('say', { surface: c.surface, user: c.user, name: c.name, text });
    if (!ok) input.value = text;
  });
  for (const b of document.querySelectorAll('[data-advance]')) {
    b.addEventListener('click', () => post('clock', { advance: b.dataset.advance }));
  }
  $('clock-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const input = $('clock-custom');
    if (await post('clock', { advance: input.value.trim() })) input.value = '';
  });
  $('sweep').addEventListener('click', () => post('sweep', {}));

  const events = new EventSource(base + 'events');
  events.addEventListener('state', (e) => {
    const first = !state;
    state = JSON.parse(e.data);
    state.items = state.items || [];
    if (first && state.items.length) announced = state.items[state.items.length - 1].seq;
    if (first) buildPicker();
    else render();
    if ($('status').dataset.offline) {
      delete $('status').dataset.offline;
      setStatus('');
    }
    document.body.dataset.seq = state.items.length ? state.items[state.items.length - 1].seq : 0;
  });
  events.addEventListener('error', () => {
    $('status').dataset.offline = '1';
    setStatus('Lost the connection to the local stack; reconnecting…', true);
  });
})();
