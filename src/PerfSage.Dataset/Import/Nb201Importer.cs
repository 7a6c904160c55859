using System.Globalization;
using PerfSage.Dataset.Spaces;
using PerfSage.Graph;
using PerfSage.Tflite;

namespace PerfSage.Dataset;

/// <summary>What <c>perfsage dataset import-nb201</c> imports.</summary>
/// <param name="CsvPath">A CSV with columns <c>nb201_index,arch,&lt;device&gt;…</c> (latency in ms per device).</param>
public sealed record Nb201ImportRequest(string CsvPath)
{
    /// <summary>Only the first rows of the CSV; null for all.</summary>
    public int? Limit { get; init; }

    /// <summary>Element type of the graphs: <see cref="TensorType.Float32"/> (the devices of the NAS-Bench-201
    /// latency tables run float models) or <see cref="TensorType.Int8"/>.</summary>
    public TensorType Dtype { get; init; } = TensorType.Float32;

    /// <summary>Which network each genotype becomes: converter-folded (a deployed .tflite) or eager (every edge
    /// executes, as the published NB201 device latencies were measured; see <see cref="Nb201Graph"/>).</summary>
    public Nb201Graph Graph { get; init; } = Nb201Graph.Converted;
}

/// <summary>
/// Turns a NAS-Bench-201 latency table into a dataset: one graph per architecture
/// (<see cref="Nb201Space.FromArchString(string, PerfSage.Tflite.TensorType, Nb201Graph)"/>), one measured label per device column (<c>latency_ms</c>, source
/// <c>measured:nb201</c>; an empty cell gives no label). Parallel and resumable like a build. The CSV is read
/// whole from a regular file of at most <see cref="Limits.MaxTextBytes"/> (a named pipe or <c>/dev/zero</c> is
/// refused before a byte is read); a field quoted in an error is cut to <see cref="Limits.MaxEchoedChars"/>.
/// </summary>
public static class Nb201Importer
{
    /// <summary>The source of NB201 labels.</summary>
    public const string Source = "measured:nb201";

    /// <summary>Imports <paramref name="request"/> into <paramref name="directory"/>. Throws
    /// <see cref="DatasetException"/> naming the CSV row for a bad header, index, architecture or value.</summary>
    public static BuildResult Import(Nb201ImportRequest request, string directory, BuildOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(directory);
        options ??= new BuildOptions();
        Nb201Job job = Nb201Job.Create(request);
        return Journal.Run(directory, job, options.Jobs, options.Progress, cancellationToken);
    }

    private sealed record Row(long Order, long Line, int Nb201Index, string Arch, (string Target, double LatencyMs)[] Values);

    private sealed class Nb201Job : BuildJob
    {
        private readonly Row[] _rows;
        private readonly TensorType _dtype;
        private readonly Nb201Graph _graph;
        private readonly string _prefix;

        private Nb201Job(BuildInfo info, Row[] rows, TensorType dtype, Nb201Graph graph)
        {
            Info = info;
            _rows = rows;
            _dtype = dtype;
            _graph = graph;
            _prefix = dtype == TensorType.Int8 ? "nb201-int8-" : "nb201-";
            Items = [.. rows.Select(r => new JobItem(r.Order, ModelId(r.Nb201Index)))];
        }

        public override BuildInfo Info { get; }

        public override IReadOnlyList<JobItem> Items { get; }

        private string ModelId(int index) => _prefix + index.ToString("D5", CultureInfo.InvariantCulture);

        public static Nb201Job Create(Nb201ImportRequest request)
        {
            string path = request.CsvPath;
            if (request.Limit is < 1)
            {
                throw new DatasetException($"limit {request.Limit}: must be at least 1");
            }
            if (request.Dtype is not (TensorType.Float32 or TensorType.Int8))
            {
                throw new DatasetException($"dtype {TensorTypes.Name(request.Dtype)}: NAS-Bench-201 graphs are built as float32 or int8");
            }
            byte[] bytes = DatasetInput.ReadAllBytes(path, Limits.MaxTextBytes, "NAS-Bench-201 CSV");
            (string[] header, List<CsvRow> csvRows) = CsvFile.Read(path, bytes);
            if (header.Length < 3 || header[0] != "nb201_index" || header[1] != "arch")
            {
                throw new DatasetException($"{path}: header must be nb201_index,arch,<device>... (at least one device column), found '{Limits.Echo(string.Join(',', header))}'");
            }
            string[] devices = header[2..];
            foreach (string device in devices)
            {
                if (!TargetName.IsValid(device))
                {
                    throw new DatasetException($"{path}: device column '{Limits.Echo(device)}' is not a valid target name ({TargetName.Rule})");
                }
            }
            if (devices.Distinct(StringComparer.Ordinal).Count() != devices.Length)
            {
                throw new DatasetException($"{path}: a device column appears twice in the header");
            }
            if (csvRows.Count == 0)
            {
                throw new DatasetException($"{path}: no data rows under the header");
            }
            int take = Math.Min(request.Limit ?? int.MaxValue, csvRows.Count);
            var rows = new Row[take];
            var seen = new Dictionary<int, long>();
            for (int k = 0; k < take; k++)
            {
                rows[k] = ParseRow(path, csvRows[k], k, devices, seen);
            }
            var info = new BuildInfo
            {
                Kind = "nb201",
                Targets = devices,
                LabelSource = Source,
                Csv = Path.GetFileName(path),
                CsvSha256 = Hashing.Sha256Hex(bytes),
                Limit = request.Limit,
                Dtype = TensorTypes.Name(request.Dtype),
                // Recorded only for eager and pruned graphs, so folders imported before the option existed stay the
                // same build.
                Network = request.Graph == Nb201Graph.Converted ? null : Nb201Graphs.Name(request.Graph),
            };
            return new Nb201Job(info, rows, request.Dtype, request.Graph);
        }

        private static Row ParseRow(string path, CsvRow row, int order, string[] devices, Dictionary<int, long> seen)
        {
            string Where() => $"{path}: row {row.Line}";
            string[] f = row.Fields;
            if (row.Malformed)
            {
                throw new DatasetException($"{Where()}: malformed CSV quoting (an unclosed or stray quote; a quoted field ends at its line)");
            }
            if (f.Length != devices.Length + 2)
            {
                throw new DatasetException($"{Where()}: expected {devices.Length + 2} fields, found {f.Length}");
            }
            if (!int.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out int index))
            {
                throw new DatasetException($"{Where()}: nb201_index '{Limits.Echo(f[0])}' is not a whole number");
            }
            if (!seen.TryAdd(index, row.Line))
            {
                throw new DatasetException($"{Where()}: nb201_index {index} is also on row {seen[index]}");
            }
            try
            {
                Nb201Arch.Parse(f[1]);
            }
            catch (SearchSpaceException e)
            {
                throw new DatasetException($"{Where()}: {e.Message}", e);
            }
            var values = new List<(string, double)>(devices.Length);
            for (int d = 0; d < devices.Length; d++)
            {
                string text = f[d + 2];
                if (text.Length == 0)
                {
                    continue;
                }
                if (!CsvFile.TryNumber(text, out double ms) || ms <= 0)
                {
                    throw new DatasetException($"{Where()}: {devices[d]} latency '{Limits.Echo(text)}' is not a positive number of milliseconds");
                }
                values.Add((devices[d], ms));
            }
            if (values.Count == 0)
            {
                throw new DatasetException($"{Where()}: no device has a latency");
            }
            return new Row(order, row.Line, index, f[1], [.. values]);
        }

        public override ProducedModel Produce(JobItem item)
        {
            Row row = _rows[item.Order];
            try
            {
                OpGraph graph = Nb201Space.FromArchString(row.Arch, _dtype, _graph);
                byte[] bytes = GraphExporter.Write(graph, SpaceBuildJob.ExportSeed(item.ModelId));
                OpGraph.FromModel(TfliteReader.Parse(bytes, item.ModelId + ".tflite")); // the file must read back
                LabelRow[] labels = [.. row.Values.Select(v => new LabelRow(item.ModelId, v.Target, v.LatencyMs, null, null, null, Source))];
                var knobs = new SortedDictionary<string, string>(StringComparer.Ordinal)
                {
                    ["arch"] = row.Arch,
                    ["nb201_index"] = row.Nb201Index.ToString(CultureInfo.InvariantCulture),
                };
                string origin = string.Create(CultureInfo.InvariantCulture, $"nb201 index {row.Nb201Index} ({Info.Csv} row {row.Line})");
                var record = new ModelRecord(item.ModelId, item.Order, "nb201", Info.Dtype!, origin, knobs, bytes.Length,
                    Hashing.Sha256Hex(bytes), labels);
                return new ProducedModel(record, bytes);
            }
            catch (Exception e) when (e is SearchSpaceException or OpGraphException or TfliteFormatException)
            {
                throw new DatasetException($"{item.ModelId} ({Info.Csv} row {row.Line}): {e.Message}", e);
            }
        }
    }
}
