using System.Globalization;
using PerfSage.Graph.Features;

namespace PerfSage.Model;

/// <summary>
/// Predictions from a trained model. Load once (<see cref="Load"/>, about a third of a second for libtorch
/// the first time in a process), then predict many: a warm single prediction of a small graph takes about a
/// millisecond on a CPU, and <see cref="PredictMany"/> batches graphs for far less per graph.
/// Thread-safe: predictions on one instance are serialised by a lock.
/// </summary>
public sealed class Predictor : IDisposable
{
    private readonly TrainedModel _model;
    private readonly bool _ownsModel;
    private readonly Dictionary<string, int[]> _columnsByTarget;

    private Predictor(TrainedModel model, bool ownsModel)
    {
        _model = model;
        _ownsModel = ownsModel;
        _columnsByTarget = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (string target in model.Targets)
        {
            var columns = new int[MetricNames.All.Count];
            Array.Fill(columns, -1);
            for (int k = 0; k < model.Heads.Count; k++)
            {
                if (model.Heads[k].Target == target)
                {
                    columns[(int)model.Heads[k].Metric] = k;
                }
            }
            _columnsByTarget[target] = columns;
        }
    }

    /// <summary>Loads the model folder <paramref name="modelDirectory"/> (see <see cref="ModelFolder.Load"/>).</summary>
    public static Predictor Load(string modelDirectory, string device = Devices.Cpu) => new(ModelFolder.Load(modelDirectory, device), ownsModel: true);

    /// <summary>Predicts with an in-memory model; the caller keeps ownership of <paramref name="model"/>.</summary>
    public static Predictor FromModel(TrainedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new Predictor(model, ownsModel: false);
    }

    /// <summary>The model's manifest.</summary>
    public ModelManifest Manifest => _model.Manifest;

    /// <summary>Targets the model has heads for.</summary>
    public IReadOnlyList<string> Targets => _model.Targets;

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
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(target);
        if (!_columnsByTarget.TryGetValue(target, out int[]? columns))
        {
            throw new ArgumentException(
                $"the model has no heads for target '{target}' (it knows: {string.Join(", ", Targets)})", nameof(target));
        }
        float[][] log = _model.PredictLog(features, batchSize);
        var predictions = new Prediction[features.Count];
        for (int i = 0; i < predictions.Length; i++)
        {
            float[] row = log[i];
            var prediction = new Prediction
            {
                Target = target,
                LatencyMs = Value(row, columns[(int)Metric.LatencyMs]),
                EnergyMj = Value(row, columns[(int)Metric.EnergyMj]),
                PeakRamKb = Value(row, columns[(int)Metric.PeakRamKb]),
                FlashKb = Value(row, columns[(int)Metric.FlashKb]),
                Warnings = Warnings(features[i]),
            };
            predictions[i] = Checked(prediction);
        }
        return predictions;
    }

    /// <summary>Predicts one graph on each of <paramref name="targets"/> with one forward pass (every head is computed by
    /// each pass, so this gives the values of <see cref="Predict"/> for each target at the cost of one).</summary>
    /// <exception cref="ArgumentException">The model has no head for one of <paramref name="targets"/>.</exception>
    /// <exception cref="ModelFormatException">Features of another schema version.</exception>
    public IReadOnlyList<Prediction> PredictTargets(GraphFeatures features, IReadOnlyList<string> targets)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        var columns = new int[targets.Count][];
        for (int t = 0; t < targets.Count; t++)
        {
            if (targets[t] is null || !_columnsByTarget.TryGetValue(targets[t], out columns[t]!))
            {
                throw new ArgumentException(
                    $"the model has no heads for target '{targets[t]}' (it knows: {string.Join(", ", Targets)})", nameof(targets));
            }
        }
        float[] row = _model.PredictLog([features], 1)[0];
        List<string> warnings = Warnings(features);
        var predictions = new Prediction[targets.Count];
        for (int t = 0; t < targets.Count; t++)
        {
            predictions[t] = Checked(new Prediction
            {
                Target = targets[t],
                LatencyMs = Value(row, columns[t][(int)Metric.LatencyMs]),
                EnergyMj = Value(row, columns[t][(int)Metric.EnergyMj]),
                PeakRamKb = Value(row, columns[t][(int)Metric.PeakRamKb]),
                FlashKb = Value(row, columns[t][(int)Metric.FlashKb]),
                Warnings = [.. warnings],
            });
        }
        return predictions;
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
        var warnings = new List<string>();
        TrainingDataSummary data = _model.Manifest.Data;
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

    public void Dispose()
    {
        if (_ownsModel)
        {
            _model.Dispose();
        }
    }
}
