namespace PerfSage.Dataset;

/// <summary>
/// The names of the files and folders of a dataset folder (docs/DATASETS.md, "The folder").
/// </summary>
public static class DatasetLayout
{
    /// <summary>What built the folder and its counts; written last, so its presence means "complete".</summary>
    public const string ManifestFile = "dataset.json";

    /// <summary>One row per model and target: <c>model_id,target,latency_ms,energy_mj,peak_ram_kb,flash_kb,source</c>.</summary>
    public const string LabelsFile = "labels.csv";

    /// <summary>One row per model: id, family, variant, graph size and hash, origin, knobs.</summary>
    public const string ModelsFile = "models.csv";

    /// <summary><c>model_id,split</c>, written by <c>perfsage dataset split</c>.</summary>
    public const string SplitsFile = "splits.csv";

    /// <summary>The <c>.tflite</c> files, <c>graphs/&lt;id&gt;.tflite</c>.</summary>
    public const string GraphsFolder = "graphs";

    /// <summary>One journal record per finished model of a build (<c>records/&lt;id&gt;.json</c>).</summary>
    public const string RecordsFolder = "records";

    /// <summary>The arguments of the build that owns the folder, written before its first model.</summary>
    public const string RequestFile = "request.json";

    /// <summary>Held (advisory lock) while a command writes the folder.</summary>
    public const string LockFile = ".lock";

    /// <summary>The path of model <paramref name="modelId"/>'s graph under <paramref name="directory"/>.</summary>
    public static string GraphPath(string directory, string modelId) =>
        Path.Combine(directory, GraphsFolder, modelId + ".tflite");

    /// <summary>Why <paramref name="modelId"/> read from a folder's CSV cannot be a model id, or null: an id is
    /// the name of its graph file, so it may not hold a path separator or a NUL, nor be <c>.</c> or <c>..</c>
    /// (<c>graphs/../../x</c> would lead out of the folder).</summary>
    internal static string? BadModelId(string modelId) =>
        modelId.Length == 0 ? "model_id is empty"
        : modelId is "." or ".." || modelId.AsSpan().IndexOfAny('/', '\\', '\0') >= 0
            ? $"model_id '{Limits.Echo(modelId)}' is not a file name (no '/', '\\' or NUL, not '.' or '..')"
            : null;

    internal static string RecordPath(string directory, string modelId) =>
        Path.Combine(directory, RecordsFolder, modelId + ".json");
}
