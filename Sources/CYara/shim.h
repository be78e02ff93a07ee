#ifndef CYARA_SHIM_H
#define CYARA_SHIM_H
/* libyara (Debian libyara-dev). Its rule, string and match walks are C macros over unions that Swift cannot
   import, so these small accessors stand in for them. */
#include <yara.h>

static inline const char *cyara_rule_identifier(const YR_RULE *rule) { return rule->identifier; }
static inline const char *cyara_rule_namespace(const YR_RULE *rule) { return rule->ns->name; }

/* The rule's first string, or NULL when it has none. */
static inline YR_STRING *cyara_rule_first_string(const YR_RULE *rule) { return rule->strings; }
/* The string after `s` in its rule, or NULL after the last. */
static inline YR_STRING *cyara_next_string(YR_STRING *s) { return STRING_IS_LAST_IN_RULE(s) ? NULL : s + 1; }
static inline const char *cyara_string_identifier(const YR_STRING *s) { return s->identifier; }

/* The first match of `s` in this scan (private ones included; check `is_private`). */
static inline YR_MATCH *cyara_first_match(YR_SCAN_CONTEXT *context, const YR_STRING *s) {
    return context->matches[s->idx].head;
}

/* Every rule of a compiled set, for listing and for disabling hash-only rules. */
static inline YR_RULE *cyara_rules_first(YR_RULES *rules) { return rules->rules_table; }
static inline YR_RULE *cyara_rules_next(YR_RULE *rule) { rule++; return RULE_IS_NULL(rule) ? NULL : rule; }
static inline int cyara_rule_is_null(const YR_RULE *rule) { return RULE_IS_NULL(rule) ? 1 : 0; }

/* The rule's metadata (`meta:` section), walked like its strings; NULL when it has none. */
static inline YR_META *cyara_rule_first_meta(const YR_RULE *rule) { return rule->metas; }
static inline YR_META *cyara_next_meta(YR_META *m) { return META_IS_LAST_IN_RULE(m) ? NULL : m + 1; }
static inline const char *cyara_meta_identifier(const YR_META *m) { return m->identifier; }
/* META_TYPE_INTEGER 1, META_TYPE_STRING 2, META_TYPE_BOOLEAN 3. */
static inline int cyara_meta_type(const YR_META *m) { return (int)m->type; }
static inline const char *cyara_meta_string(const YR_META *m) { return m->string; }
static inline long long cyara_meta_integer(const YR_META *m) { return (long long)m->integer; }
#endif
