using System.Globalization;
using System.Text.Json;

namespace PerfSage.Dataset;

/// <summary>
/// One row of <c>models.csv</c>: a model of the dataset and where it came from.
/// </summary>
/// <param name="ModelId">The id; the graph is <c>graphs/&lt;id&gt;.tflite</c>.</param>
/// <param name="Family">Architecture family (<c>kws-dscnn</c>, <c>nb201</c>), empty when unknown (imported
/// models): a split by family then keeps the model on its own.</param>
/// <param name="Variant">Element-type variant (<c>int8</c>, <c>float32</c>, …), empty when unknown.</param>
/// <param name="GraphBytes">Size of the <c>.tflite</c> file.</param>
/// <param name="GraphSha256">SHA-256 of the <c>.tflite</c> file, lower-case hex.</param>
/// <param name="Origin">Where the model came from, for people: <c>kws seed 42 index 7</c>,
/// <c>nb201 index 17</c>, <c>board.csv row 3: models/a.tflite</c>.</param>
/// <param name="Knobs">The search-space knob values (empty for imported models).</param>
public sealed record ModelInfo(
    string ModelId,
    string Family,
    string Variant,
    long GraphBytes,
    string GraphSha256,
    string Origin,
    IReadOnlyDictionary<string, string> Knobs);

/// <summary>Reads and writes <c>models.csv</c>; the knobs column holds a JSON object.</summary>
internal static class ModelsCsv
{
    public static readonly string[] Header =
        ["model_id", "family", "variant", "graph_bytes", "graph_sha256", "origin", "knobs"];

    public static byte[] Write(IEnumerable<ModelInfo> models) =>
        CsvFile.Write(Header, models.Select(m => (IReadOnlyList<string?>)
        [
            m.ModelId, m.Family, m.Variant, m.GraphBytes.ToString(CultureInfo.InvariantCulture), m.GraphSha256,
            m.Origin, KnobsJson(m.Knobs),
        ]));

    public static string KnobsJson(IReadOnlyDictionary<string, string> knobs) =>
        JsonSerializer.Serialize(new SortedDictionary<string, string>(knobs.ToDictionary(), StringComparer.Ordinal),
            DatasetJson.Info<SortedDictionary<string, string>>(DatasetJson.Compact));

    public static List<ModelInfo> Read(string path)
    {
        (string[] header, List<CsvRow> rows) = CsvFile.ReadFile(path, "models file");
        CsvFile.RequireHeader(path, header, Header);
        var models = new List<ModelInfo>(rows.Count);
        foreach (CsvRow row in rows)
        {
            string[] f = row.Fields;
            if (row.Malformed)
            {
                throw new DatasetException($"{path}: line {row.Line}: malformed CSV quoting (an unclosed or stray quote)");
            }
            if (f.Length != Header.Length)
            {
                throw new DatasetException($"{path}: line {row.Line}: expected {Header.Length} fields, found {f.Length}");
            }
            if (DatasetLayout.BadModelId(f[0]) is string bad)
            {
                throw new DatasetException($"{path}: line {row.Line}: {bad}");
            }
            if (!long.TryParse(f[3], NumberStyles.None, CultureInfo.InvariantCulture, out long bytes))
            {
                throw new DatasetException($"{path}: line {row.Line}: graph_bytes '{Limits.Echo(f[3])}' is not a whole number");
            }
            Dictionary<string, string> knobs;
            try
            {
                knobs = f[6].Length == 0 ? [] : JsonSerializer.Deserialize(f[6], DatasetJson.Info<Dictionary<string, string>>()) ?? [];
            }
            catch (JsonException e)
            {
                throw new DatasetException($"{path}: line {row.Line}: knobs is not a JSON object of strings ({Limits.Echo(e.Message)})", e);
            }
            models.Add(new ModelInfo(f[0], f[1], f[2], bytes, f[4], f[5], knobs));
        }
        return models;
    }
}

/// <summary><c>splits.csv</c>: one row per model naming its split (<see cref="Splits.Name"/>).</summary>
public static class DatasetSplits
{
    internal static readonly string[] Header = ["model_id", "split"];

    internal static byte[] Write(IEnumerable<(string ModelId, Split Split)> rows) =>
        CsvFile.Write(Header, rows.Select(r => (IReadOnlyList<string?>)[r.ModelId, Splits.Name(r.Split)]));

    internal static Dictionary<string, Split> Read(string path)
    {
        (string[] header, List<CsvRow> rows) = CsvFile.ReadFile(path, "splits file");
        CsvFile.RequireHeader(path, header, Header);
        var splits = new Dictionary<string, Split>(StringComparer.Ordinal);
        foreach (CsvRow row in rows)
        {
            if (row.Malformed)
            {
                throw new DatasetException($"{path}: line {row.Line}: malformed CSV quoting (an unclosed or stray quote)");
            }
            if (row.Fields.Length != 2)
            {
                throw new DatasetException($"{path}: line {row.Line}: expected 2 fields, found {row.Fields.Length}");
            }
            Split split = Splits.FromFileName(row.Fields[1])
                ?? throw new DatasetException($"{path}: line {row.Line}: split '{Limits.Echo(row.Fields[1])}' is not train, val or test");
            if (!splits.TryAdd(row.Fields[0], split))
            {
                throw new DatasetException($"{path}: line {row.Line}: model '{Limits.Echo(row.Fields[0])}' is listed twice");
            }
        }
        return splits;
    }
}
