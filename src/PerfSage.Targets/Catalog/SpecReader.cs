using System.Globalization;
using System.Text.Json;

namespace PerfSage.Targets;

/// <summary>
/// Reads one object of a target file, naming the file and the JSON path in every error. Numbers must be
/// objects <c>{ "value": …, "unit": "…", "source": "…" }</c> (or <c>"assumption": "…"</c> instead of a
/// source); every number read is also recorded under its path so a spec can list its provenance.
/// </summary>
internal sealed class SpecReader
{
    private readonly JsonElement _element;
    private readonly string _file;
    private readonly string _path;
    private readonly Dictionary<string, SourcedValue> _numbers;

    private SpecReader(JsonElement element, string file, string path, Dictionary<string, SourcedValue> numbers)
    {
        _element = element;
        _file = file;
        _path = path;
        _numbers = numbers;
    }

    /// <summary>A reader at the root of a parsed file.</summary>
    public static SpecReader Root(JsonElement root, string file)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new TargetException($"{file}: the top level must be a JSON object");
        }
        return new SpecReader(root, file, "$", new Dictionary<string, SourcedValue>(StringComparer.Ordinal));
    }

    /// <summary>Every number read so far from this file, by JSON path (<c>$.clock_mhz</c>).</summary>
    public IReadOnlyDictionary<string, SourcedValue> Numbers => _numbers;

    public string File => _file;

    public string Path => _path;

    public bool Has(string name) => _element.TryGetProperty(name, out JsonElement e) && e.ValueKind != JsonValueKind.Null;

    public string String(string name)
    {
        JsonElement e = Property(name);
        if (e.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(e.GetString()))
        {
            throw Error(name, "must be a non-empty string");
        }
        return e.GetString()!;
    }

    public string? OptionalString(string name) => Has(name) ? String(name) : null;

    public SpecReader Object(string name)
    {
        JsonElement e = Property(name);
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw Error(name, "must be an object");
        }
        return new SpecReader(e, _file, _path + "." + name, _numbers);
    }

    public SpecReader? OptionalObject(string name) => Has(name) ? Object(name) : null;

    /// <summary>The names of this object's properties, in file order.</summary>
    public IReadOnlyList<string> PropertyNames()
    {
        var names = new List<string>();
        foreach (JsonProperty p in _element.EnumerateObject())
        {
            names.Add(p.Name);
        }
        return names;
    }

    public IReadOnlyList<string> StringList(string name)
    {
        JsonElement e = Property(name);
        if (e.ValueKind != JsonValueKind.Array)
        {
            throw Error(name, "must be an array of strings");
        }
        var list = new List<string>();
        int i = 0;
        foreach (JsonElement item in e.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(item.GetString()))
            {
                throw Error($"{name}[{i}]", "must be a non-empty string");
            }
            list.Add(item.GetString()!);
            i++;
        }
        return list;
    }

    /// <summary>A sourced number; it must be finite and at least <paramref name="min"/>.</summary>
    public SourcedValue Number(string name, double min = 0)
    {
        JsonElement e = Property(name);
        string where = _path + "." + name;
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw Error(name, "must be an object { \"value\", \"unit\", \"source\" | \"assumption\" }");
        }
        if (!e.TryGetProperty("value", out JsonElement v) || v.ValueKind != JsonValueKind.Number)
        {
            throw Error(name, "has no numeric \"value\"");
        }
        double value = v.GetDouble();
        if (!double.IsFinite(value) || value < min)
        {
            throw Error(name, string.Create(CultureInfo.InvariantCulture, $"value {value} is below the minimum {min}"));
        }
        string unit = e.TryGetProperty("unit", out JsonElement u) && u.ValueKind == JsonValueKind.String
            ? u.GetString()! : throw Error(name, "has no \"unit\"");
        string? source = e.TryGetProperty("source", out JsonElement s) && s.ValueKind == JsonValueKind.String
            && !string.IsNullOrWhiteSpace(s.GetString()) ? s.GetString() : null;
        string? assumption = e.TryGetProperty("assumption", out JsonElement a) && a.ValueKind == JsonValueKind.String
            && !string.IsNullOrWhiteSpace(a.GetString()) ? a.GetString() : null;
        if (source is null && assumption is null)
        {
            throw Error(name, "has neither a \"source\" nor an \"assumption\": every number must say where it comes from");
        }
        var result = new SourcedValue(value, unit, source, assumption);
        _numbers[where] = result;
        return result;
    }

    public SourcedValue? OptionalNumber(string name, double min = 0) => Has(name) ? Number(name, min) : null;

    /// <summary>A sourced number that must be a whole number of at least <paramref name="min"/>.</summary>
    public int Integer(string name, int min = 0)
    {
        SourcedValue v = Number(name, min);
        if (v.Value != Math.Floor(v.Value) || v.Value > int.MaxValue)
        {
            throw Error(name, "must be a whole number");
        }
        return (int)v.Value;
    }

    public TargetException Error(string name, string reason) =>
        new($"{_file}: {_path}.{name} {reason}");

    private JsonElement Property(string name)
    {
        if (!_element.TryGetProperty(name, out JsonElement e) || e.ValueKind == JsonValueKind.Null)
        {
            throw new TargetException($"{_file}: {_path}.{name} is missing");
        }
        return e;
    }
}
