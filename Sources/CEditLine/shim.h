#ifndef CEDITLINE_SHIM_H
#define CEDITLINE_SHIM_H
#include <stdio.h>
#include <stdlib.h>
#include <locale.h>
/* Debian: libedit's readline-compat header is <editline/readline.h>; <readline/readline.h> is GNU readline. */
#include <editline/readline.h>
#include <histedit.h>

/* el_set / el_get / history() are C-variadic and unavailable in Swift: fixed-arity wrappers. */
typedef char *(*ceditline_prompt_fn)(EditLine *);
typedef unsigned char (*ceditline_cmd_fn)(EditLine *, int);
/* Reads one character for libedit: 1 (stored in *c), 0 at end of input, -1 with errno on error. */
typedef int (*ceditline_getc_fn)(EditLine *, wchar_t *);
static inline FILE *ceditline_stdin(void)  { return stdin; }
static inline FILE *ceditline_stdout(void) { return stdout; }
static inline FILE *ceditline_stderr(void) { return stderr; }
static inline int ceditline_set_prompt(EditLine *el, ceditline_prompt_fn fn) { return el_set(el, EL_PROMPT, fn); }
static inline int ceditline_set_editor(EditLine *el, const char *mode) { return el_set(el, EL_EDITOR, mode); }
static inline int ceditline_set_getc(EditLine *el, ceditline_getc_fn fn) { return el_set(el, EL_GETCFN, fn); }
static inline int ceditline_set_signal(EditLine *el, int on) { return el_set(el, EL_SIGNAL, on); }
static inline int ceditline_set_history(EditLine *el, History *h) { return el_set(el, EL_HIST, history, h); }
static inline int ceditline_add_function(EditLine *el, const char *name, const char *help, ceditline_cmd_fn fn) {
    return el_set(el, EL_ADDFN, name, help, fn); }
static inline int ceditline_bind(EditLine *el, const char *key, const char *fn_name) {
    return el_set(el, EL_BIND, key, fn_name, (const char *)NULL); }
static inline int ceditline_set_clientdata(EditLine *el, void *data) { return el_set(el, EL_CLIENTDATA, data); }
static inline void *ceditline_get_clientdata(EditLine *el) { void *d = NULL; el_get(el, EL_CLIENTDATA, &d); return d; }
static inline int ceditline_history_setsize(History *h, HistEvent *ev, int n) { return history(h, ev, H_SETSIZE, n); }
static inline int ceditline_history_setunique(History *h, HistEvent *ev, int u) { return history(h, ev, H_SETUNIQUE, u); }
static inline int ceditline_history_enter(History *h, HistEvent *ev, const char *line) { return history(h, ev, H_ENTER, line); }
static inline int ceditline_history_load(History *h, HistEvent *ev, const char *path) { return history(h, ev, H_LOAD, path); }
static inline int ceditline_history_save(History *h, HistEvent *ev, const char *path) { return history(h, ev, H_SAVE, path); }
#endif
