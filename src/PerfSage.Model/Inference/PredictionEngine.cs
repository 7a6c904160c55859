using PerfSage.Graph.Features;

namespace PerfSage.Model;

/// <summary>Which code runs a trained network for prediction.</summary>
public enum PredictionEngine
{
    /// <summary>Managed code (<c>Inference/Managed</c>): no TorchSharp, no libtorch; what <c>predict</c>, <c>score</c> and
    /// <c>eval</c> use unless told otherwise.</summary>
    Managed,

    /// <summary>TorchSharp over libtorch: the training engine and the reference the managed one is tested against.</summary>
    Torch,
}

/// <summary>Names of <see cref="PredictionEngine"/> on the command line and in <c>PERFSAGE_ENGINE</c>.</summary>
public static class PredictionEngines
{
    /// <summary>The environment variable that selects the engine when no option does.</summary>
    public const string EnvironmentVariable = "PERFSAGE_ENGINE";

    /// <summary>The names, in the order help shows them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["managed", "torch"];

    /// <summary>The engine named <paramref name="name"/> (<c>managed</c> or <c>torch</c>, any case), or null.</summary>
    public static PredictionEngine? TryParse(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "managed" => PredictionEngine.Managed,
        "torch" => PredictionEngine.Torch,
        _ => null,
    };

    /// <summary>The name of <paramref name="engine"/>.</summary>
    public static string Name(PredictionEngine engine) => engine == PredictionEngine.Torch ? "torch" : "managed";
}

/// <summary>What <see cref="Predictor"/> runs: a loaded network of either engine. Free of TorchSharp types, so holding one
/// loads nothing native.</summary>
internal interface IPredictionEngine : IDisposable
{
    /// <summary>The engine's kind.</summary>
    PredictionEngine Kind { get; }

    /// <summary>The model's manifest.</summary>
    ModelManifest Manifest { get; }

    /// <summary>The heads, in output order.</summary>
    IReadOnlyList<HeadKey> Heads { get; }

    /// <summary>ln [graph][j] of head <paramref name="heads"/>[j] for raw (unscaled) graphs.</summary>
    /// <exception cref="ModelFormatException">Features of another schema version, or inconsistent.</exception>
    float[][] PredictLog(IReadOnlyList<GraphFeatures> graphs, int[] heads, int batchSize, int threads);
}
