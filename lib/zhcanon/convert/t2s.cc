#include "zhcanon/convert/t2s.h"

#include <cmath>
#include <stdexcept>

namespace zhcanon::convert {

T2s::T2s(T2sOptions options) : options_(std::move(options)) {
  if (options_.config != "auto") {
    fixed_ = SharedConverter(ConverterOptions{options_.config, options_.user_dictionary});
  } else if (options_.user_dictionary.empty()) {
    auto_ = SharedVariantConverters();
  } else {
    auto_ = std::make_shared<const VariantConverters>(options_.user_dictionary);
  }
}

const Converter& T2s::converter(std::string_view config) const {
  if (!auto_) return *fixed_;
  for (Variant v : {Variant::kStandard, Variant::kTaiwan, Variant::kHongKong})
    if (VariantConfig(v) == config) return auto_->Get(v);
  throw std::invalid_argument("t2s: no converter for config '" + std::string(config) + "'");
}

void T2s::Process(Document& doc, Diagnostics&) const {
  ConvertStats stats;
  std::string text;
  std::string config = options_.config;
  if (auto_) {
    std::string title;
    config = VariantConfig(auto_->Convert(doc.metadata.title, doc.text, title, text, &stats));
    doc.metadata.title = std::move(title);
  } else {
    fixed_->Convert(doc.text, text, &stats);
    if (!doc.metadata.title.empty()) doc.metadata.title = fixed_->Convert(doc.metadata.title);
  }
  doc.text = std::move(text);

  auto& extra = doc.metadata.extra;
  extra["t2s_config"] = config;
  extra["t2s_changed_chars"] = stats.changed_chars;
  extra["script"] = std::string(ScriptVerdict(stats));
  const double share =
      stats.han_chars == 0 ? 0.0 : static_cast<double>(stats.traditional_only) / static_cast<double>(stats.han_chars);
  extra["hant_share"] = std::round(share * 10000.0) / 10000.0;
}

}  // namespace zhcanon::convert
