// read_catalogue_csv(): stock rows (one per SKU) as an ERP or the seller
// centre exports them → the catalogue. Columns are named by the header row,
// in any order (docs/catalogue.md).
#include <algorithm>
#include <set>

#include "daemon/catalogue/catalogue.hpp"
#include "daemon/catalogue/item_builder.hpp"
#include "daemon/common/utf8.hpp"

namespace xiaoer::catalogue {
namespace {

constexpr std::string_view kColumns[] = {"item_id", "colour", "size", "stock", "date", "title", "updated_at"};
constexpr std::string_view kRequired[] = {"item_id", "colour", "size", "stock"};

struct Field {
  std::string text;
  int column = 0;  // 1-based, in characters
};

// Splits one line (RFC 4180 quoting, no line breaks inside quotes); false
// with `error` and its column on a stray quote.
bool split_line(std::string_view line, std::vector<Field>* out, std::string* error, int* error_column) {
  out->clear();
  std::size_t pos = 0;
  int column = 1;
  const auto advance = [&](std::size_t to) {
    column += static_cast<int>(common::count_characters(line.substr(pos, to - pos)));
    pos = to;
  };
  while (true) {
    Field field;
    field.column = column;
    if (pos < line.size() && line[pos] == '"') {
      advance(pos + 1);
      while (true) {
        const std::size_t quote = line.find('"', pos);
        if (quote == std::string_view::npos) {
          *error = "unclosed quote";
          *error_column = field.column;
          return false;
        }
        field.text += line.substr(pos, quote - pos);
        advance(quote + 1);
        if (pos < line.size() && line[pos] == '"') {
          field.text += '"';
          advance(pos + 1);
          continue;
        }
        break;
      }
      if (pos < line.size() && line[pos] != ',') {
        *error = "text after a closing quote";
        *error_column = column;
        return false;
      }
    } else {
      const std::size_t comma = std::min(line.find(',', pos), line.size());
      field.text = std::string(line.substr(pos, comma - pos));
      if (field.text.find('"') != std::string::npos) {
        *error = "a quote inside an unquoted field (quote the whole field)";
        *error_column = field.column;
        return false;
      }
      advance(comma);
    }
    // Spaces around a value are the spreadsheet's, not the data's.
    while (!field.text.empty() && field.text.back() == ' ') field.text.pop_back();
    while (!field.text.empty() && field.text.front() == ' ') field.text.erase(0, 1);
    out->push_back(std::move(field));
    if (pos >= line.size()) return true;
    advance(pos + 1);  // the comma
  }
}

class CsvReader {
 public:
  CsvReader(const std::string& file, Catalogue& into, common::Diagnostics& diagnostics)
      : file_(file), into_(into), diagnostics_(diagnostics) {}

  void read(std::string_view text) {
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a spreadsheet's BOM
    int number = 0;
    std::vector<Field> fields;
    while (!text.empty()) {
      const std::size_t end = std::min(text.find('\n'), text.size());
      std::string_view line = text.substr(0, end);
      text.remove_prefix(std::min(end + 1, text.size()));
      ++number;
      if (line.ends_with('\r')) line.remove_suffix(1);
      if (line.find_first_not_of(" ,") == std::string_view::npos) continue;
      std::string error;
      int column = 0;
      if (!split_line(line, &fields, &error, &column)) {
        diagnostics_.push_back({{file_, number, column}, error});
        continue;
      }
      if (columns_.empty()) {
        if (!read_header(fields, number)) return;
        continue;
      }
      read_row(fields, number);
    }
    if (columns_.empty()) diagnostics_.push_back({{file_, 1, 1}, "no header row (item_id,colour,size,stock,…)"});
  }

 private:
  bool read_header(const std::vector<Field>& fields, int line) {
    bool ok = true;
    for (const Field& f : fields) {
      if (std::find(std::begin(kColumns), std::end(kColumns), f.text) == std::end(kColumns)) {
        diagnostics_.push_back({{file_, line, f.column},
                                "unknown column '" + f.text + "' (known: item_id, colour, size, stock, date, title, "
                                "updated_at)"});
        ok = false;
      }
      columns_.push_back(f.text);
    }
    for (std::string_view required : kRequired) {
      if (std::find(columns_.begin(), columns_.end(), required) == columns_.end()) {
        diagnostics_.push_back({{file_, line, 1}, "the header has no '" + std::string(required) + "' column"});
        ok = false;
      }
    }
    if (!ok) columns_.clear();
    return ok;
  }

  // The field of column `name` in the row (null when the row is short).
  const Field* get(const std::vector<Field>& fields, std::string_view name) const {
    for (std::size_t i = 0; i < columns_.size() && i < fields.size(); ++i) {
      if (columns_[i] == name) return &fields[i];
    }
    return nullptr;
  }

  void error(int line, const Field* at, std::string message) {
    diagnostics_.push_back({{file_, line, at ? at->column : 1}, std::move(message)});
  }

  void read_row(const std::vector<Field>& fields, int line) {
    if (fields.size() != columns_.size()) {
      error(line, fields.size() > columns_.size() ? &fields[columns_.size()] : nullptr,
            "the row has " + std::to_string(fields.size()) + " fields, the header " + std::to_string(columns_.size()));
      return;
    }
    const Field* id = get(fields, "item_id");
    const Field* colour = get(fields, "colour");
    const Field* size = get(fields, "size");
    const Field* status = get(fields, "stock");
    const Field* date = get(fields, "date");
    for (const Field* f : {id, colour, size, status}) {
      if (f->text.empty()) {
        error(line, f, "empty value");
        return;
      }
    }
    SkuStock sku{colour->text, size->text, {}};
    std::string why;
    // A quantity (what most exports give) or a status word.
    std::string_view word = status->text;
    if (std::all_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      word = word.find_first_not_of('0') == std::string_view::npos ? "out" : "in";
    }
    if (!make_stock(word, date ? std::string_view(date->text) : "", &sku.stock, &why)) {
      error(line, why.find("date") != std::string::npos && date ? date : status, why);
      return;
    }
    std::int64_t updated_at = 0;
    if (const Field* f = get(fields, "updated_at"); f && !f->text.empty()) {
      const auto ms = parse_updated_at(f->text);
      if (!ms) {
        error(line, f, "updated_at must be YYYY-MM-DD or YYYY-MM-DD HH:MM, not '" + f->text + "'");
        return;
      }
      updated_at = *ms;
    }
    const Field* title = get(fields, "title");
    if (into_.find(id->text) == nullptr) {
      Item item;
      item.id = id->text;
      item.where = {file_, line, id->column};
      if (title && !title->text.empty()) {
        item.title = title->text;
        item.facts["item_title"] = title->text;
        item.fact_places["item_title"] = {file_, line, title->column};
      }
      add_item(into_, std::move(item), diagnostics_);
      created_.insert(id->text);
    }
    Item& item = into_.items.find(id->text)->second;
    item.updated_at_ms = std::max(item.updated_at_ms, updated_at);
    if (created_.contains(item.id)) {
      add_sku(item, sku, line, colour);
      return;
    }
    // An item written in YAML: the row gives one of its SKUs' stock.
    const std::string* known_colour = item.match_colour(sku.colour);
    const std::string* known_size = item.match_size(sku.size);
    if (known_colour == nullptr) return error(line, colour, "item " + item.id + " has no colour '" + sku.colour + "'");
    if (known_size == nullptr) return error(line, size, "item " + item.id + " has no size '" + sku.size + "'");
    sku.colour = *known_colour;
    sku.size = *known_size;
    set_stock(item, sku);
  }

  void add_sku(Item& item, const SkuStock& sku, int line, const Field* colour) {
    if (item.find_sku(sku.colour, sku.size) != nullptr) {
      return error(line, colour, "item " + item.id + " " + sku.colour + " " + sku.size + " is on two rows");
    }
    if (std::find(item.colours.begin(), item.colours.end(), sku.colour) == item.colours.end()) {
      item.colours.push_back(sku.colour);
    }
    if (std::find(item.sizes.begin(), item.sizes.end(), sku.size) == item.sizes.end()) item.sizes.push_back(sku.size);
    item.skus.push_back({sku.colour, sku.size, sku.stock});
  }

  const std::string& file_;
  Catalogue& into_;
  common::Diagnostics& diagnostics_;
  std::vector<std::string> columns_;
  std::set<std::string, std::less<>> created_;  // items this file introduced
};

}  // namespace

void read_catalogue_csv(const std::string& file_name, std::string_view text, Catalogue& into,
                        common::Diagnostics& diagnostics) {
  CsvReader(file_name, into, diagnostics).read(text);
}

}  // namespace xiaoer::catalogue
