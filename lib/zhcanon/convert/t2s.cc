#include "zhcanon/convert/t2s.h"

#include <cmath>
#include <stdexcept>

namespace zhcanon::convert {

T2s::T2s(T2sOptions options) : options_(std::move(options)) {
  auto_ = options_.config == "auto";
  if (!auto_) {
    fixed_ = SharedConverter(ConverterOptions{options_.config, options_.user_dictionary});
    return;
  }
  detector_ = SharedVariantDetector();
  for (Variant v : {Variant::kStandard, Variant::kTaiwan, Variant::kHongKong})
    by_variant_[static_cast<int>(v)] =
        SharedConverter(ConverterOptions{std::string(VariantConfig(v)), options_.user_dictionary});
}

const Converter& T2s::converter(std::string_view config) const {
  if (!auto_) return *fixed_;
  for (Variant v : {Variant::kStandard, Variant::kTaiwan, Variant::kHongKong})
    if (VariantConfig(v) == config) return *by_variant_[static_cast<int>(v)];
  throw std::invalid_argument("t2s: no converter for config '" + std::string(config) + "'");
}

void T2s::Process(Document& doc, Diagnostics&) const {
  const Converter* converter = fixed_.get();
  std::string config = options_.config;
  if (auto_) {
    // The title is short and often the most telling (its words are chosen): count it too.
    VariantEvidence e = detector_->Count(doc.metadata.title);
    e += detector_->Count(doc.text);
    const Variant v = Decide(e);
    converter = by_variant_[static_cast<int>(v)].get();
    config = VariantConfig(v);
  }

  ConvertStats stats;
  std::string text;
  converter->Convert(doc.text, text, &stats);
  doc.text = std::move(text);
  if (!doc.metadata.title.empty()) doc.metadata.title = converter->Convert(doc.metadata.title);

  auto& extra = doc.metadata.extra;
  extra["t2s_config"] = config;
  extra["t2s_changed_chars"] = stats.changed_chars;
  extra["script"] = std::string(ScriptVerdict(stats));
  const double share =
      stats.han_chars == 0 ? 0.0 : static_cast<double>(stats.traditional_only) / static_cast<double>(stats.han_chars);
  extra["hant_share"] = std::round(share * 10000.0) / 10000.0;
}

}  // namespace zhcanon::convert
