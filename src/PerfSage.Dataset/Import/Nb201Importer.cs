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

    /// <summary>Write weightless graph files (the default: a measured table needs graphs to cost, not to run;
    /// NAS-Bench-201's 15,625 networks take about 25 GB with random weights).</summary>
    public bool Weightless { get; init; } = true;

    /// <summary>Element type of the graphs: <see cref="TensorType.Float32"/> (the devices of the NAS-Bench-201
    /// latency tables run float models) or <see cref="TensorType.Int8"/>.</summary>
    public TensorType Dtype { get; init; } = TensorType.Float32;

    /// <summary>Which network each genotype becomes: converter-folded (a deployed .tflite), eager (every edge executes)
    /// or pruned (see <see cref="Nb201Graph"/>); null (the default) builds all three as graph variants
    /// (<see cref="GraphVariants"/>), so the commands that fit a device's head can pick the one its measurements fit.</summary>
    public Nb201Graph? Graph { get; init; }
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

    private sealed class Nb201Job : LatencyTableJob
    {
        private readonly TensorType _dtype;
        private readonly Nb201Graph? _graph;

        private Nb201Job(LatencyTable table, BuildInfo info, TensorType dtype, Nb201Graph? graph)
            : base(table, dtype == TensorType.Int8 ? "nb201-int8-" : "nb201-", info.GraphVariants)
        {
            Info = info;
            _dtype = dtype;
            _graph = graph;
        }

        public override BuildInfo Info { get; }

        protected override string Source => Nb201Importer.Source;

        protected override string SpaceName => "nb201";

        protected override string IndexKnob => "nb201_index";

        protected override string Dtype => Info.Dtype!;

        protected override OpGraph BuildGraph(string arch, int batch, string? variant) =>
            Nb201Space.FromArchString(arch, _dtype, variant is null ? _graph ?? Nb201Graph.Converted : Nb201Graphs.Parse(variant), batch);

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
            LatencyTable table = LatencyTable.Read(path, "NAS-Bench-201 CSV", "nb201_index", request.Limit, a => Nb201Arch.Parse(a));
            var info = new BuildInfo
            {
                Kind = "nb201",
                Targets = [.. table.Devices],
                LabelSource = Nb201Importer.Source,
                Csv = System.IO.Path.GetFileName(path),
                CsvSha256 = Hashing.Sha256Hex(table.Bytes),
                Limit = request.Limit,
                Dtype = TensorTypes.Name(request.Dtype),
                // Recorded only for eager and pruned graphs, so folders imported before the option existed stay the
                // same build.
                Network = request.Graph is Nb201Graph.Eager or Nb201Graph.Pruned ? Nb201Graphs.Name(request.Graph.Value) : null,
                GraphVariants = request.Graph is null ? Nb201Graphs.Names : null,
                TargetBatches = Batches(table),
                Weights = request.Weightless ? BuildInfo.NoWeights : null,
            };
            return new Nb201Job(table, info, request.Dtype, request.Graph);
        }
    }
}
