using System.Globalization;

namespace PerfSage.Dataset.Spaces;

/// <summary>The knob values of one draw, collected while a space builds its network. Keys are sorted
/// (ordinal), so the values serialise the same way every time.</summary>
internal sealed class KnobValues
{
    private readonly SortedDictionary<string, string> _values = new(StringComparer.Ordinal);

    public void Set(string name, string value) => _values[name] = value;

    public void Set(string name, int value) => _values[name] = value.ToString(CultureInfo.InvariantCulture);

    public void SetList(string name, IEnumerable<int> values) =>
        _values[name] = string.Join(',', values.Select(v => v.ToString(CultureInfo.InvariantCulture)));

    public void SetList(string name, IEnumerable<string> values) => _values[name] = string.Join(',', values);

    public IReadOnlyDictionary<string, string> ToReadOnly() => new SortedDictionary<string, string>(_values, StringComparer.Ordinal);
}
