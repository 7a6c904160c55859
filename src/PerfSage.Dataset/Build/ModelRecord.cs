using System.Text.Json;

namespace PerfSage.Dataset;

/// <summary>
/// The journal entry of one finished model (<c>records/&lt;id&gt;.json</c>): its <c>models.csv</c> row and its
/// labels, plus the size and SHA-256 of its graph so a resumed build can tell a complete model from a damaged
/// one. Written after the graph, atomically; a model is done exactly when its record reads back and its
/// graph matches the record.
/// </summary>
internal sealed record ModelRecord(
    string ModelId,
    long Order,
    string Family,
    string Variant,
    string Origin,
    IReadOnlyDictionary<string, string> Knobs,
    long GraphBytes,
    string GraphSha256,
    IReadOnlyList<LabelRow> Labels)
{
    public ModelInfo ToInfo() => new(ModelId, Family, Variant, GraphBytes, GraphSha256, Origin, Knobs);

    public byte[] ToJson() => DatasetJson.Serialize(this);

    /// <summary>True when the record is the one of <paramref name="modelId"/> at <paramref name="order"/> and
    /// has at least one label, all of that model.</summary>
    public bool Matches(string modelId, long order) =>
        ModelId == modelId && Order == order && Labels.Count > 0 && Labels.All(l => l.ModelId == modelId);

    /// <summary>The record of <paramref name="modelId"/> under <paramref name="directory"/> when it and its
    /// graph are complete and consistent; null when either is missing, truncated or does not match.</summary>
    public static ModelRecord? TryLoadComplete(string directory, string modelId, long order)
    {
        ModelRecord? record = TryRead(DatasetLayout.RecordPath(directory, modelId));
        if (record is null || !record.Matches(modelId, order))
        {
            return null;
        }
        var graph = new FileInfo(DatasetLayout.GraphPath(directory, modelId));
        if (!graph.Exists || graph.Length != record.GraphBytes || GraphHash.Sha256File(graph.FullName) != record.GraphSha256)
        {
            return null;
        }
        return record;
    }

    /// <summary>The record at <paramref name="path"/>, or null when it is missing or does not parse.</summary>
    public static ModelRecord? TryRead(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), DatasetJson.Info<ModelRecord>());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            return null;
        }
    }
}
