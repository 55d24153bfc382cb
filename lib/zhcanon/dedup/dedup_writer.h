// The dedup stage as a DocumentWriter, so that zhcanon-dedup and `zhcanon run` plug it behind
// pipeline::Run unchanged: Encode() (called on the worker threads) fingerprints the document and
// encodes it; WriteEncoded() (serial, input order) spools it to a temporary file and adds its
// fingerprint to a Clusterer; Commit() clusters, then writes the canonical documents in input
// order to the real writer (each canonical document's metadata gets "duplicates": [ids…] and
// "dedup_cluster"), writes the cluster report and commits. Memory: the fingerprints and keep
// keys of all documents (no texts); the texts wait in the spool on disk.
//
//   auto out = zhcanon::io::MakeDocumentWriter(format, path, std::cout);
//   zhcanon::dedup::DedupWriter dedup(std::move(out), {.report_path = "clusters.jsonl"});
//   pipeline::Run(reader, stages, dedup, on_problem, run_options);
//   dedup.Commit();  // clusters and writes; dedup.stats() for the summary
//
// Cluster report (JSONL, one line per cluster with more than one member, by canonical input order):
//   {"cluster": 3, "canonical": "a.md", "size": 2, "members": [
//     {"id": "a.md", "kind": "canonical", "distance": 0, "similarity": 1.0, "containment": 1.0},
//     {"id": "b.md", "kind": "near", "distance": 2, "similarity": 0.91, "containment": 0.95,
//      "reason": "near duplicate (distance 2, similarity 0.91); canonical needed less t2s conversion"}]}
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "zhcanon/dedup/clusterer.h"
#include "zhcanon/dedup/fingerprint.h"
#include "zhcanon/io/writer.h"

namespace zhcanon::dedup {

struct DedupOptions {
  FingerprintOptions fingerprint;
  ClusterOptions cluster;
  /// The cluster report (JSONL), written atomically on Commit; empty = none.
  std::string report_path;
  /// Directory for the spool file; empty = $TMPDIR (the tools pass the output's directory, so
  /// that the spool lands on the disk the output needs anyway, not in a RAM-backed /tmp).
  std::string spool_dir;
  /// Checked while Commit() writes; once set, Commit() throws zhcanon::Interrupted and commits
  /// nothing (the tools point it at their SIGINT flag). Null = never interrupted.
  const std::atomic<bool>* interrupt = nullptr;
};

struct DedupStats {
  ClusterStats clusters;
  std::uint64_t documents_in = 0, documents_out = 0;
  /// Clusters of two or more documents (the lines of the report).
  std::uint64_t cluster_count = 0;
};

class DedupWriter : public io::DocumentWriter {
 public:
  /// Throws ConfigError for bad options, IoError when the spool cannot be created.
  DedupWriter(std::unique_ptr<io::DocumentWriter> output, DedupOptions options);
  ~DedupWriter() override;  // removes the spool
  /// Fingerprints `doc` (the expensive part, so it runs on the pipeline's worker threads) and
  /// returns an internal record: a binary header holding the fingerprint, then the document
  /// serialized for the spool. Only this writer's WriteEncoded understands it. Thread-safe.
  std::string Encode(const Document& doc) const override;
  /// Appends the document to the spool and its fingerprint and keep keys to the clusterer.
  /// Throws std::invalid_argument when `bytes` did not come from Encode(), IoError when the
  /// spool cannot be written (full disk).
  void WriteEncoded(const Document& doc, std::string_view bytes) override;
  /// Clusters and writes the output and the report. Throws IoError on output failure.
  void Commit() override;
  const DedupStats& stats() const { return stats_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  DedupStats stats_;
};

}  // namespace zhcanon::dedup
