#pragma once
#include <cstddef>
#include <set>
#include <vector>

struct CoreCoord {
    std::size_t x = 0;
    std::size_t y = 0;
};

class CoreRange {
public:
    CoreRange(const CoreCoord& start, const CoreCoord& end);
    explicit CoreRange(const CoreCoord& core);
    std::size_t size() const;
    bool contains(const CoreCoord& core) const;
    CoreCoord start_coord;
    CoreCoord end_coord;
};

class CoreRangeSet {
public:
    CoreRangeSet();
    CoreRangeSet(const CoreRange& range);
    CoreRangeSet(const std::set<CoreRange>& ranges);
    CoreRangeSet(std::vector<CoreRange>&& ranges);
    const std::vector<CoreRange>& ranges() const;
    std::size_t num_cores() const;
};
