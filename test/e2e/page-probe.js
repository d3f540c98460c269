/*
 * Runs inside the JupyterLab / Notebook 7 page (page.ts evaluates this file once per page). It reads the
 * notebook through the application object the server exposes (`expose_app_in_browser`), records the
 * kernel's IOPub messages (to see display updates), and reports what each output rendered in the DOM.
 * It never runs cells itself: page.ts does that through the menu and the keyboard, as a student does.
 * Plain ES2019, no imports: the page runs it as it is.
 */
(function () {
  'use strict';
  if (window.__genlabE2E) return;

  var messages = [];
  var hooked = {};
  // Per execution count: its request, and when the kernel started and finished it (first IOPub
  // message of the request, execute_reply); per request: its first and last IOPub message.
  var started = {};
  var firstSeen = {};
  var lastSeen = {};

  function app() {
    if (!window.jupyterapp) throw new Error('window.jupyterapp is missing: start the server with expose_app_in_browser');
    return window.jupyterapp;
  }

  function panelFor(path) {
    var shell = app().shell;
    var candidates = [];
    if (shell.currentWidget) candidates.push(shell.currentWidget);
    try {
      for (var w of shell.widgets('main')) candidates.push(w);
    } catch (e) {
      // Notebook 7's shell may not list 'main'; currentWidget is enough there.
    }
    for (var i = 0; i < candidates.length; i++) {
      var c = candidates[i];
      if (c && c.context && c.context.path === path && c.content && c.sessionContext) return c;
    }
    return null;
  }

  function need(path) {
    var p = panelFor(path);
    if (!p) throw new Error('notebook ' + path + ' is not open');
    return p;
  }

  function cells(panel) {
    return panel.content.widgets;
  }

  function textOf(data, mime) {
    var v = data && data[mime];
    if (v === undefined || v === null) return '';
    return Array.isArray(v) ? v.join('') : typeof v === 'string' ? v : JSON.stringify(v);
  }

  function kernelInfo(panel) {
    var sc = panel.sessionContext;
    var k = sc.session && sc.session.kernel;
    var dialog = document.querySelector('.jp-Dialog');
    return {
      ready: !!sc.isReady,
      kernelName: k ? k.name : null,
      kernelStatus: k ? k.status : null,
      kernelDisplayName: sc.kernelDisplayName,
      dialog: dialog ? dialog.innerText.slice(0, 300) : null,
    };
  }

  function isRunning(cell) {
    if (cell.model.type !== 'code') return false;
    if (cell.model.executionState === 'running') return true;
    var prompt = cell.node.querySelector('.jp-InputPrompt');
    return !!prompt && prompt.textContent.indexOf('*') >= 0;
  }

  /** A summary of one output's DOM. */
  function domOfOutput(child) {
    var plots = Array.prototype.map.call(child.querySelectorAll('.genlab-plot'), function (d) {
      var svg = d.querySelector('.main-svg');
      return {
        id: d.id,
        drawn: !!svg,
        traces: d.querySelectorAll('.main-svg .trace, .main-svg .hm, .main-svg .contour, .main-svg image').length,
        dataLength: Array.isArray(d.data) ? d.data.length : 0,
        width: svg ? Math.round(svg.getBoundingClientRect().width) : 0,
        height: svg ? Math.round(svg.getBoundingClientRect().height) : 0,
        text: svg ? '' : d.textContent.slice(0, 200),
      };
    });
    var imgs = Array.prototype.map.call(child.querySelectorAll('img'), function (im) {
      return { complete: im.complete, naturalWidth: im.naturalWidth, naturalHeight: im.naturalHeight, png: /^data:image\/png/.test(im.src) };
    });
    var tables = Array.prototype.map.call(child.querySelectorAll('table'), function (t) {
      return { dataframe: t.classList.contains('dataframe'), rows: t.querySelectorAll('tbody tr').length, columns: t.querySelectorAll('thead th').length };
    });
    // textContent, not innerText: a cell scrolled out of view (content-visibility: auto) has no innerText.
    return { plots: plots, imgs: imgs, tables: tables, text: (child.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 400) };
  }

  function timingMs(cell) {
    var m = cell.model.getMetadata ? cell.model.getMetadata('execution') : cell.model.metadata && cell.model.metadata.execution;
    var a = m ? Date.parse(m['iopub.execute_input']) : NaN;
    var b = m ? Date.parse(m['shell.execute_reply']) : NaN;
    if (isFinite(a) && isFinite(b)) return b - a;
    // No recorded timing: from the IOPub messages seen for this execution.
    var s = started[cell.model.executionCount];
    return s && s.t !== null ? s.end - s.t : null;
  }

  function cellState(cell, index) {
    var model = cell.model;
    var state = { index: index, type: model.type, source: model.sharedModel.getSource().slice(0, 300) };
    if (model.type !== 'code') return state;
    var outputs = model.outputs.toJSON().map(function (o) {
      var data = o.data || {};
      return {
        outputType: o.output_type,
        mimes: Object.keys(data),
        html: textOf(data, 'text/html').slice(0, 2000),
        plain: (o.output_type === 'stream' ? (Array.isArray(o.text) ? o.text.join('') : o.text || '') : textOf(data, 'text/plain')).slice(0, 400),
        streamName: o.name || null,
        ename: o.ename || null,
        evalue: o.evalue || null,
        traceback: (o.traceback || []).slice(0, 12).join('\n').slice(0, 2000),
      };
    });
    var children = cell.node.querySelectorAll('.jp-OutputArea > .jp-OutputArea-child');
    // So that page.ts can point Playwright at this cell.
    cell.node.setAttribute('data-e2e-cell', String(index));
    state.executionCount = model.executionCount;
    state.running = isRunning(cell);
    state.timingMs = timingMs(cell);
    state.timingMeta = JSON.stringify(cell.model.getMetadata ? cell.model.getMetadata('execution') || null : null);
    state.outputs = outputs;
    state.dom = Array.prototype.map.call(children, domOfOutput);
    state.hidden = !!cell.inputHidden || !!cell.outputHidden;
    return state;
  }

  function sleep(ms) {
    return new Promise(function (r) {
      setTimeout(r, ms);
    });
  }

  async function scrollTo(panel, index) {
    var nb = panel.content;
    if (typeof nb.scrollToItem === 'function') {
      try {
        await nb.scrollToItem(index, 'start');
      } catch (e) {
        // fall through to the DOM
      }
    }
    var c = cells(panel)[index];
    if (c) c.node.scrollIntoView({ block: 'start' });
    await sleep(100);
  }

  window.__genlabE2E = {
    version: function () {
      return { lab: app().version, name: app().name };
    },

    isOpen: function (path) {
      var p = panelFor(path);
      // isReady: the file's content is in the model (before that a panel may show a placeholder cell).
      return !!p && !!p.content && (!p.context || p.context.isReady !== false) && cells(p).length > 0;
    },

    /**
     * Code cells whose outputs are in the model but not (all) in the page yet, and the first of them:
     * a large notebook's outputs are attached after it opens, off-screen cells last.
     */
    renderPending: function (path) {
      var pending = [];
      cells(need(path)).forEach(function (c, i) {
        if (c.model.type !== 'code') return;
        var shown = c.node.querySelectorAll('.jp-OutputArea > .jp-OutputArea-child').length;
        if (shown !== c.model.outputs.length) pending.push(i);
      });
      return { count: pending.length, first: pending.length > 0 ? pending[0] : -1 };
    },

    kernel: function (path) {
      return kernelInfo(need(path));
    },

    /**
     * Which code cells with outputs the front end trusts (the server marks them when the notebook's
     * signature is in its database; only then do the outputs' scripts run), and the plotly SVGs drawn.
     */
    trust: function (path) {
      var withOutputs = cells(need(path)).filter(function (c) {
        return c.model.type === 'code' && c.model.outputs.length > 0;
      });
      return {
        cells: withOutputs.length,
        trusted: withOutputs.filter(function (c) {
          return !!c.model.trusted;
        }).length,
        svgs: need(path).content.node.querySelectorAll('.jp-OutputArea .main-svg').length,
      };
    },

    /**
     * Record this notebook's kernel messages: IOPub (displays and their updates) and the execute
     * replies, which say which request ran as which execution count (tslab sends no execute_input).
     */
    hook: function (path) {
      var panel = need(path);
      if (hooked[path]) return true;
      var session = panel.sessionContext.session;
      if (!session) throw new Error('no kernel session yet');
      hooked[path] = true;
      session.anyMessage.connect(function (_, args) {
        var msg = args.msg;
        var c = msg.content || {};
        var t = msg.header.msg_type;
        var parent = msg.parent_header ? msg.parent_header.msg_id || null : null;
        if (args.direction !== 'recv') return;
        if (msg.channel === 'iopub' && parent) {
          if (!(parent in firstSeen)) firstSeen[parent] = Date.now();
          lastSeen[parent] = Date.now();
        }
        if (t === 'execute_reply' && parent) {
          started[c.execution_count] = { parent: parent, t: firstSeen[parent] || null, end: Date.now() };
        } else if (msg.channel !== 'iopub' || t === 'status' || t === 'stream') {
          return;
        }
        messages.push({
          type: t,
          parent: parent,
          displayId: c.transient && c.transient.display_id ? c.transient.display_id : null,
          executionCount: t === 'execute_reply' || t === 'execute_input' ? (c.execution_count === undefined ? null : c.execution_count) : null,
          status: t === 'execute_reply' ? c.status || null : null,
          plain: textOf(c.data, 'text/plain').slice(0, 300),
        });
      });
      return true;
    },

    messages: function () {
      return messages.slice();
    },

    clearMessages: function () {
      messages.length = 0;
    },

    /** How far a run has got. */
    progress: function (path) {
      var panel = need(path);
      var code = cells(panel).filter(function (c) {
        return c.model.type === 'code' && c.model.sharedModel.getSource().trim() !== '';
      });
      var errors = 0;
      code.forEach(function (c) {
        c.model.outputs.toJSON().forEach(function (o) {
          if (o.output_type === 'error') errors++;
        });
      });
      return {
        code: code.length,
        executed: code.filter(function (c) {
          return c.model.executionCount !== null && c.model.executionCount !== undefined;
        }).length,
        running: code.filter(isRunning).length,
        errors: errors,
        kernelStatus: kernelInfo(panel).kernelStatus,
      };
    },

    executionCount: function (path, index) {
      var c = cells(need(path))[index];
      return c ? { count: c.model.executionCount, running: isRunning(c) } : null;
    },

    /** Scroll a cell into view and wait (up to timeoutMs) until its figures are drawn and images loaded. */
    settle: async function (path, index, timeoutMs) {
      var panel = need(path);
      await scrollTo(panel, index);
      var cell = cells(panel)[index];
      var end = Date.now() + timeoutMs;
      for (;;) {
        var plots = cell.node.querySelectorAll('.genlab-plot');
        var pending = Array.prototype.filter.call(plots, function (d) {
          return !d.querySelector('.main-svg') && !/not loaded/.test(d.textContent);
        }).length;
        var imgs = Array.prototype.filter.call(cell.node.querySelectorAll('.jp-OutputArea img'), function (im) {
          return !im.complete;
        }).length;
        if ((pending === 0 && imgs === 0) || Date.now() > end) return { pending: pending, images: imgs };
        await sleep(200);
      }
    },

    scrollTo: async function (path, index) {
      await scrollTo(need(path), index);
      return true;
    },

    /** The state of the given cells (all when `indices` is null). */
    cells: function (path, indices) {
      var all = cells(need(path));
      var pick = indices || all.map(function (_, i) {
        return i;
      });
      return pick.map(function (i) {
        return cellState(all[i], i);
      });
    },

    /** Shut the kernel down from the page (the server is told too). */
    shutdown: async function (path) {
      var p = panelFor(path);
      if (p && p.sessionContext.session) await p.sessionContext.shutdown();
      return true;
    },
  };
})();
