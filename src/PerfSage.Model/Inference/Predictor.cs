using System.Globalization;
using System.Runtime.CompilerServices;
using PerfSage.Graph.Features;
using PerfSage.Model.Inference.Managed;

namespace PerfSage.Model;

/// <summary>
/// Predictions from a trained model. Load once (<see cref="Load(string)"/>), then predict many. Two engines run the
/// network (<see cref="PredictionEngine"/>): the managed one (the default: no TorchSharp, no libtorch, a warm prediction of
/// a small graph on every head well under a millisecond) and TorchSharp's (the training engine; the reference). Every
/// method computes the network's trunk once per graph and then only the heads of the targets asked for.
/// Thread-safe: the managed engine needs no lock, TorchSharp's serialises predictions.
/// </summary>
public sealed class Predictor : IDisposable
{
    private readonly IPredictionEngine _engine;
    private readonly Dictionary<string, int[]> _columnsByTarget;

    private Predictor(IPredictionEngine engine)
    {
        _engine = engine;
        _columnsByTarget = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (string target in engine.Manifest.Targets())
        {
            var columns = new int[MetricNames.All.Count];
            Array.Fill(columns, -1);
            for (int k = 0; k < engine.Heads.Count; k++)
            {
                if (engine.Heads[k].Target == target)
                {
                    columns[(int)engine.Heads[k].Metric] = k;
                }
            }
            _columnsByTarget[target] = columns;
        }
    }

    /// <summary>Loads the model folder <paramref name="modelDirectory"/> for the managed engine (TorchSharp is not loaded).</summary>
    /// <exception cref="ModelFormatException">The folder, its manifest or its weights are missing, corrupt or do not fit.</exception>
    public static Predictor Load(string modelDirectory) => Load(modelDirectory, PredictionEngine.Managed);

    /// <summary>Loads the model folder <paramref name="modelDirectory"/> for <paramref name="engine"/> (TorchSharp's on the CPU).</summary>
    /// <exception cref="ModelFormatException">The folder, its manifest or its weights are missing, corrupt or do not fit.</exception>
    /// <exception cref="TorchRuntimeException">The TorchSharp engine was asked for and libtorch did not load.</exception>
    public static Predictor Load(string modelDirectory, PredictionEngine engine) =>
        engine == PredictionEngine.Torch ? LoadTorch(modelDirectory, Devices.Cpu) : new Predictor(ManagedEngine.Load(modelDirectory));

    /// <summary>Loads the model folder <paramref name="modelDirectory"/> for TorchSharp on <paramref name="device"/>
    /// (see <see cref="ModelFolder.Load"/>).</summary>
    public static Predictor Load(string modelDirectory, string device) => LoadTorch(modelDirectory, device);

    /// <summary>Kept out of the methods the managed path runs, so that compiling them never resolves a TorchSharp type.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Predictor LoadTorch(string modelDirectory, string device) =>
        new(new TorchEngine(ModelFolder.Load(modelDirectory, device), ownsModel: true));

    /// <summary>Predicts with an in-memory model through TorchSharp; the caller keeps ownership of <paramref name="model"/>.</summary>
    public static Predictor FromModel(TrainedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new Predictor(new TorchEngine(model, ownsModel: false));
    }

    /// <summary>The engine that runs the network.</summary>
    public PredictionEngine Engine => _engine.Kind;

    /// <summary>The model's manifest.</summary>
    public ModelManifest Manifest => _engine.Manifest;

    /// <summary>Targets the model has heads for.</summary>
    public IReadOnlyList<string> Targets => _engine.Manifest.Targets();

    /// <summary>The heads, in the network's output order.</summary>
    public IReadOnlyList<HeadKey> Heads => _engine.Heads;

    /// <summary>True when the model has at least one head for <paramref name="target"/>.</summary>
    public bool HasTarget(string target) => _columnsByTarget.ContainsKey(target);

    /// <summary>Predicts one graph on one target.</summary>
    /// <exception cref="ArgumentException">The model has no head for <paramref name="target"/>.</exception>
    /// <exception cref="ModelFormatException">Features of another schema version.</exception>
    public Prediction Predict(GraphFeatures features, string target)
    {
        ArgumentNullException.ThrowIfNull(features);
        return PredictMany([features], target)[0];
    }

    /// <summary>Predicts many graphs on one target, <paramref name="batchSize"/> graphs per forward pass.</summary>
    /// <exception cref="ArgumentException">The model has no head for <paramref name="target"/>.</exception>
    /// <exception cref="ModelFormatException">Features of another schema version.</exception>
    public IReadOnlyList<Prediction> PredictMany(IReadOnlyList<GraphFeatures> features, string target, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(target);
        return PredictManyTargets(features, [target], batchSize: batchSize)[0];
    }

    /// <summary>Predicts one graph on each of <paramref name="targets"/> with one trunk pass and only those targets' heads.</summary>
    /// <exception cref="ArgumentException">The model has no head for one of <paramref name="targets"/>.</exception>
    /// <exception cref="ModelFormatException">Features of another schema version.</exception>
    public IReadOnlyList<Prediction> PredictTargets(GraphFeatures features, IReadOnlyList<string> targets)
    {
        ArgumentNullException.ThrowIfNull(features);
        IReadOnlyList<IReadOnlyList<Prediction>> grid = PredictManyTargets([features], targets, batchSize: 1);
        return grid.Select(perTarget => perTarget[0]).ToArray();
    }

    /// <summary>
    /// Predicts many graphs on many targets: [target][graph]. Each graph's trunk runs once, then the heads of
    /// <paramref name="targets"/> only; the managed engine runs graphs on up to <paramref name="threads"/> threads
    /// (TorchSharp's batches <paramref name="batchSize"/> graphs per forward pass on its own threads).
    /// </summary>
    /// <exception cref="ArgumentException">The model has no head for one of <paramref name="targets"/>.</exception>
    /// <exception cref="ModelFormatException">Features of another schema version.</exception>
    public IReadOnlyList<IReadOnlyList<Prediction>> PredictManyTargets(IReadOnlyList<GraphFeatures> features, IReadOnlyList<string> targets,
        int threads = 1, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        var columns = new int[targets.Count][];
        var heads = new List<int>();
        for (int t = 0; t < targets.Count; t++)
        {
            if (targets[t] is null || !_columnsByTarget.TryGetValue(targets[t], out int[]? byMetric))
            {
                throw new ArgumentException(
                    $"the model has no heads for target '{targets[t]}' (it knows: {string.Join(", ", Targets)})", nameof(targets));
            }
            // Position of each metric's head in the engine's output row, or -1.
            columns[t] = byMetric.Select(k => k < 0 ? -1 : IndexOf(heads, k)).ToArray();
        }
        float[][] log = _engine.PredictLog(features, [.. heads], batchSize, threads);
        var warnings = new List<string>[features.Count];
        for (int i = 0; i < features.Count; i++)
        {
            warnings[i] = Warnings(features[i]);
        }
        var grid = new IReadOnlyList<Prediction>[targets.Count];
        for (int t = 0; t < targets.Count; t++)
        {
            var predictions = new Prediction[features.Count];
            int[] c = columns[t];
            for (int i = 0; i < predictions.Length; i++)
            {
                float[] row = log[i];
                predictions[i] = Checked(new Prediction
                {
                    Target = targets[t],
                    LatencyMs = Value(row, c[(int)Metric.LatencyMs]),
                    EnergyMj = Value(row, c[(int)Metric.EnergyMj]),
                    PeakRamKb = Value(row, c[(int)Metric.PeakRamKb]),
                    FlashKb = Value(row, c[(int)Metric.FlashKb]),
                    Warnings = [.. warnings[i]],
                });
            }
            grid[t] = predictions;
        }
        return grid;
    }

    /// <summary>ln of every head's prediction [graph][head] (for evaluation).</summary>
    internal float[][] PredictLogAll(IReadOnlyList<GraphFeatures> features, int batchSize, int threads = 1) =>
        _engine.PredictLog(features, Enumerable.Range(0, _engine.Heads.Count).ToArray(), batchSize, threads);

    private static int IndexOf(List<int> heads, int head)
    {
        int at = heads.IndexOf(head);
        if (at < 0)
        {
            heads.Add(head);
            at = heads.Count - 1;
        }
        return at;
    }

    /// <summary><paramref name="prediction"/> as it may be reported: unchanged when every value is plausible, else with no
    /// values and the reason in <see cref="Prediction.Error"/>. Every path out of this class goes through here.</summary>
    private static Prediction Checked(Prediction prediction) =>
        Implausible(prediction) is { } error
            ? prediction with { LatencyMs = null, EnergyMj = null, PeakRamKb = null, FlashKb = null, Error = error }
            : prediction;

    private static double? Value(float[] row, int column) => column < 0 ? null : Math.Exp(row[column]);

    /// <summary>Why <paramref name="p"/> cannot be reported (its values named), or null when every value is plausible.</summary>
    private static string? Implausible(Prediction p)
    {
        var bad = new List<string>();
        foreach (Metric metric in MetricNames.All)
        {
            if (p.Get(metric) is double v && !Prediction.IsPlausible(v))
            {
                bad.Add(string.Create(CultureInfo.InvariantCulture, $"{MetricNames.Name(metric)} = {v:G4}"));
            }
        }
        return bad.Count == 0
            ? null
            : string.Create(CultureInfo.InvariantCulture,
                $"prediction is not finite or not plausible ({string.Join(", ", bad)}; reported values lie in {Prediction.MinPlausible:0E+0}..{Prediction.MaxPlausible:0E+0})");
    }

    /// <summary>Why a prediction may be less trustworthy, in words.</summary>
    private List<string> Warnings(GraphFeatures g)
    {
        ArgumentNullException.ThrowIfNull(g);
        var warnings = new List<string>();
        TrainingDataSummary data = _engine.Manifest.Data;
        CultureInfo inv = CultureInfo.InvariantCulture;
        if (g.NodeCount < data.NodeCountMin || g.NodeCount > data.NodeCountMax)
        {
            warnings.Add(string.Create(inv, $"graph has {g.NodeCount} ops; training covered {data.NodeCountMin}-{data.NodeCountMax}: the prediction extrapolates"));
        }
        if (g.TotalMacs < data.MacsMin || g.TotalMacs > data.MacsMax)
        {
            warnings.Add(string.Create(inv, $"graph has {g.TotalMacs:N0} MACs; training covered {data.MacsMin:N0}-{data.MacsMax:N0}: the prediction extrapolates"));
        }
        IReadOnlyList<string> clamped = FeatureBounds.OutOfRange(g);
        if (clamped.Count > 0)
        {
            warnings.Add("features outside the range the model accepts were clamped, so the prediction extrapolates: " + string.Join(", ", clamped));
        }
        if (g.UnknownOpCount > 0)
        {
            warnings.Add(string.Create(inv, $"{g.UnknownOpCount} op(s) with codes newer than feature schema {FeatureSchema.Version} knows"));
        }
        if (g.UnsupportedOpCount > 0)
        {
            warnings.Add(string.Create(inv, $"{g.UnsupportedOpCount} unsupported op(s) (no cost rule: custom or unknown): their MACs count as 0"));
        }
        var unseen = new SortedSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(data.OpsSeen, StringComparer.Ordinal);
        foreach (int op in g.OpIndex)
        {
            string name = OpVocabulary.NameOf(op);
            if (!seen.Contains(name))
            {
                unseen.Add(name);
            }
        }
        if (unseen.Count > 0)
        {
            warnings.Add("ops never seen in training: " + string.Join(", ", unseen));
        }
        return warnings;
    }

    public void Dispose() => _engine.Dispose();
}
