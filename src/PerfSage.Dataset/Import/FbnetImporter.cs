using PerfSage.Dataset.Spaces;
using PerfSage.Graph;
using PerfSage.Tflite;

namespace PerfSage.Dataset;

/// <summary>What <c>perfsage dataset import-fbnet</c> imports.</summary>
/// <param name="CsvPath">A CSV with columns <c>fbnet_index,arch,&lt;device&gt;…</c> (latency in ms per device;
/// a column <c>&lt;device&gt;_&lt;N&gt;</c> with N a power of two was measured at batch N).</param>
public sealed record FbnetImportRequest(string CsvPath)
{
    /// <summary>Only the first rows of the CSV; null for all.</summary>
    public int? Limit { get; init; }

    /// <summary>Write weightless graph files (the default: a measured table needs graphs to cost, not to run;
    /// NAS-Bench-201's 15,625 networks take about 25 GB with random weights).</summary>
    public bool Weightless { get; init; } = true;

    /// <summary>The input setting the table was measured in (the published tables: CIFAR-100).</summary>
    public FbnetInput Input { get; init; } = FbnetInput.Cifar100;
}

/// <summary>
/// Turns an FBNet latency table (../shared/data/fbnet/README.md) into a dataset: one float32 graph per
/// architecture and batch size (<see cref="FbnetNetwork"/>), one measured <c>latency_ms</c> label per device
/// column of that batch (source <c>measured:fbnet</c>; an empty cell gives no label). Parallel and resumable
/// like a build; the CSV is read as <see cref="LatencyTable"/> reads it.
/// </summary>
public static class FbnetImporter
{
    /// <summary>The source of FBNet labels.</summary>
    public const string Source = "measured:fbnet";

    /// <summary>Imports <paramref name="request"/> into <paramref name="directory"/>. Throws
    /// <see cref="DatasetException"/> naming the CSV row for a bad header, index, architecture or value.</summary>
    public static BuildResult Import(FbnetImportRequest request, string directory, BuildOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(directory);
        options ??= new BuildOptions();
        FbnetJob job = FbnetJob.Create(request);
        return Journal.Run(directory, job, options.Jobs, options.Progress, cancellationToken);
    }

    private sealed class FbnetJob : LatencyTableJob
    {
        private readonly FbnetInput _input;

        private FbnetJob(LatencyTable table, BuildInfo info, FbnetInput input)
            : base(table, input == FbnetInput.Cifar100 ? "fbnet-" : "fbnet-imagenet-")
        {
            Info = info;
            _input = input;
        }

        public override BuildInfo Info { get; }

        protected override string Source => FbnetImporter.Source;

        protected override string SpaceName => "fbnet";

        protected override string IndexKnob => "fbnet_index";

        protected override string Dtype => "float32";

        protected override OpGraph BuildGraph(string arch, int batch, string? variant) =>
            FbnetNetwork.Build(FbnetArch.Parse(arch), _input, batch, TensorType.Float32, "fbnet");

        public static FbnetJob Create(FbnetImportRequest request)
        {
            if (request.Limit is < 1)
            {
                throw new DatasetException($"limit {request.Limit}: must be at least 1");
            }
            LatencyTable table = LatencyTable.Read(request.CsvPath, "FBNet CSV", "fbnet_index", request.Limit, a => FbnetArch.Parse(a));
            var info = new BuildInfo
            {
                Kind = "fbnet",
                Targets = [.. table.Devices],
                LabelSource = FbnetImporter.Source,
                Csv = Path.GetFileName(request.CsvPath),
                CsvSha256 = Hashing.Sha256Hex(table.Bytes),
                Limit = request.Limit,
                Dtype = "float32",
                Input = FbnetInputs.Name(request.Input),
                TargetBatches = Batches(table),
                Weights = request.Weightless ? BuildInfo.NoWeights : null,
            };
            return new FbnetJob(table, info, request.Input);
        }
    }
}
