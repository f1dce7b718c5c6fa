/* Replays the views a demo recorded (`tael-coord demo --record FILE`) through the C front and
 * counts every decision that differs from the node's, made through Rust.
 *   replay FILE */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "tael_coord.h"

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: replay FILE\n");
        return 2;
    }
    json_error_t error;
    json_t *doc = json_load_file(argv[1], 0, &error);
    json_t *views = doc ? json_object_get(doc, "views") : NULL;
    if (!json_is_array(views)) {
        fprintf(stderr, "%s: no views (%s)\n", argv[1], error.text);
        return 2;
    }
    size_t divergent = 0, i;
    json_t *entry;
    json_array_foreach(views, i, entry) {
        char *view = json_dumps(json_object_get(entry, "view"), JSON_COMPACT);
        char *policy = json_dumps(json_object_get(entry, "policy"), JSON_COMPACT);
        json_t *want = json_object_get(entry, "decision");
        const char *group = json_string_value(json_object_get(want, "group"));
        char *out = NULL;
        TaelStatus status = tael_elect_leaders_alloc(view, policy, &out);
        json_t *decided = out ? json_loads(out, 0, NULL) : NULL;
        json_t *mine = NULL, *d;
        size_t k;
        json_array_foreach(decided, k, d) {
            if (group && strcmp(json_string_value(json_object_get(d, "group")), group) == 0) mine = d;
        }
        if (status != TAEL_STATUS_OK || !mine || !json_equal(mine, want)) {
            divergent++;
            printf("c differs on view %zu (status %s)\n", i, tael_status_name(status));
        }
        json_decref(decided);
        tael_string_free(out);
        free(view);
        free(policy);
    }
    printf("c replay: %zu views, %zu divergent decisions\n", json_array_size(views), divergent);
    int failed = divergent > 0 || json_array_size(views) == 0;
    json_decref(doc);
    return failed;
}
