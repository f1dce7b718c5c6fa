// The header must compile as C++ too (g++ -std=c++17 -fsyntax-only): C++ embedders include it
// directly, and every declaration must have C linkage there.
#include "tael_coord.h"

#include <type_traits>

static_assert(std::is_same<TaelStatus, uint32_t>::value, "TaelStatus is a plain uint32_t");
static_assert(std::is_standard_layout<TaelVerdict>::value, "TaelVerdict is a C struct");
static_assert(sizeof(TaelVerdict{}.holder) == TAEL_MAX_ID_BYTES + 1, "room for the longest id");
static_assert(TAEL_STATUS_OK == 0, "0 is OK");
static_assert(TAEL_STATUS_INVALID_HISTORY == 22 && TAEL_STATUS_CLOSED == 23 &&
                  TAEL_STATUS_UNDEFINED_EPOCH == 24,
              "dense");
static_assert(std::is_standard_layout<TaelEpochEntry>::value, "TaelEpochEntry is a C struct");
static_assert(std::is_standard_layout<TaelEpochEntryCopy>::value, "a C struct");
static_assert(sizeof(TaelEpochEntryCopy{}.holder) == TAEL_MAX_ID_BYTES + 1, "room for the longest id");
static_assert(std::is_standard_layout<TaelTruncation>::value, "TaelTruncation is a C struct");
static_assert(std::is_standard_layout<TaelGateOptions>::value, "TaelGateOptions is a C struct");
static_assert(std::is_standard_layout<TaelCounters>::value, "TaelCounters is a C struct");
static_assert(std::is_standard_layout<TaelEvent>::value, "TaelEvent is a C struct");
static_assert(std::is_same<TaelEventKind, uint32_t>::value, "TaelEventKind is a plain uint32_t");
static_assert(TAEL_EVENT_ELECTED == 0 && TAEL_EVENT_LOST == 1 && TAEL_EVENT_CHANGED == 2, "");

// The signatures users rely on, exactly.
static_assert(std::is_same<decltype(&tael_elect_leader),
                           TaelStatus (*)(const char *const *, size_t, size_t *)>::value, "");
static_assert(std::is_same<decltype(&tael_fencer_new), TaelFencer *(*)(uint64_t)>::value, "");
static_assert(std::is_same<decltype(&tael_fencer_free), void (*)(TaelFencer *)>::value, "");
static_assert(std::is_same<decltype(&tael_fencer_check_and_advance),
                           TaelStatus (*)(const TaelFencer *, uint64_t, bool *)>::value, "");
static_assert(std::is_same<decltype(&tael_fencer_highest),
                           TaelStatus (*)(const TaelFencer *, uint64_t *)>::value, "");
static_assert(std::is_same<decltype(&tael_status_name), const char *(*)(TaelStatus)>::value, "");
static_assert(std::is_same<decltype(&tael_epoch_history_new),
                           TaelStatus (*)(const TaelEpochEntry *, size_t, TaelEpochHistory **)>::value,
              "");
static_assert(std::is_same<decltype(&tael_epoch_history_assign),
                           TaelStatus (*)(const TaelEpochHistory *, uint64_t, uint64_t, const char *,
                                          size_t, bool *)>::value,
              "");
static_assert(std::is_same<decltype(&tael_follower_step),
                           TaelStatus (*)(const TaelEpochHistory *, uint64_t, bool, uint64_t, uint64_t,
                                          TaelTruncation *)>::value,
              "");
static_assert(std::is_same<decltype(&tael_established),
                           TaelStatus (*)(uint64_t, const TaelVerdict *, size_t, uint64_t, bool *)>::value,
              "");
static_assert(std::is_same<decltype(&tael_last_error_message), size_t (*)(char *, size_t)>::value,
              "");
static_assert(std::is_same<decltype(&tael_fencer_new_with_options),
                           TaelFencer *(*)(uint64_t, const TaelGateOptions *)>::value,
              "");
static_assert(std::is_same<decltype(&tael_holder_fencer_new_with_options),
                           TaelStatus (*)(uint64_t, const char *, size_t, const TaelGateOptions *,
                                          TaelHolderFencer **)>::value,
              "");
static_assert(std::is_same<decltype(&tael_holder_fencer_open_with_options),
                           TaelStatus (*)(const char *, size_t, bool, const TaelGateOptions *,
                                          TaelHolderFencer **)>::value,
              "");
static_assert(std::is_same<decltype(&tael_holder_fencer_close),
                           TaelStatus (*)(const TaelHolderFencer *, uint64_t, const char *, size_t,
                                          TaelVerdict *)>::value,
              "");
static_assert(std::is_same<decltype(&tael_holder_fencer_adopt), decltype(&tael_holder_fencer_close)>::value,
              "");
static_assert(std::is_same<decltype(&tael_registry_counters),
                           TaelStatus (*)(const TaelRegistry *, TaelCounters *)>::value,
              "");
static_assert(std::is_same<decltype(&tael_transitions),
                           TaelStatus (*)(const char *, const char *, TaelEvent **, size_t *)>::value,
              "");
static_assert(std::is_same<decltype(&tael_events_free), void (*)(TaelEvent *, size_t)>::value, "");

int main() {
    TaelFencer *f = tael_fencer_new(0);
    bool accepted = false;
    TaelStatus s = tael_fencer_check_and_advance(f, 1, &accepted);
    tael_fencer_free(f);
    return static_cast<int>(s);
}
