using System.Globalization;

namespace PerfSage.Dataset.Spaces;

/// <summary>How a <see cref="Knob"/>'s values are written and checked.</summary>
public enum KnobKind
{
    /// <summary>Decimal integers in [<see cref="Knob.Min"/>, <see cref="Knob.Max"/>], multiples of
    /// <see cref="Knob.Step"/> counted from <see cref="Knob.Min"/>.</summary>
    Numeric,

    /// <summary>One of <see cref="Knob.Choices"/>.</summary>
    Choice,

    /// <summary>Free text checked by the space (architecture strings).</summary>
    Text,
}

/// <summary>
/// One documented degree of freedom of a search space: its name in <see cref="SpaceSample.Knobs"/>, the
/// values it may take, and what it controls. Per-layer knobs (<see cref="IsList"/>) hold one value per
/// block or stage, comma separated (<c>64,64,128</c>). Every sample of a space records every knob.
/// </summary>
public sealed class Knob
{
    private Knob(string name, KnobKind kind, int min, int max, int step, IReadOnlyList<string> choices, bool isList,
        string description)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(description);
        Name = name;
        Kind = kind;
        Min = min;
        Max = max;
        Step = step;
        Choices = choices;
        IsList = isList;
        Description = description;
    }

    public string Name { get; }

    public KnobKind Kind { get; }

    /// <summary>Smallest value (integer knobs).</summary>
    public int Min { get; }

    /// <summary>Largest value (integer knobs).</summary>
    public int Max { get; }

    /// <summary>Granularity (integer knobs), counted from <see cref="Min"/>.</summary>
    public int Step { get; }

    /// <summary>The allowed values (choice knobs), else empty.</summary>
    public IReadOnlyList<string> Choices { get; }

    /// <summary>True when the knob holds one value per block, layer or stage.</summary>
    public bool IsList { get; }

    public string Description { get; }

    /// <summary>The range as the documentation writes it: <c>16–276 (step 4)</c>, <c>{relu, relu6}</c>,
    /// prefixed with <c>per layer:</c> for list knobs.</summary>
    public string Range
    {
        get
        {
            string r = Kind switch
            {
                KnobKind.Numeric => Step > 1
                    ? string.Create(CultureInfo.InvariantCulture, $"{Min}–{Max} (step {Step})")
                    : string.Create(CultureInfo.InvariantCulture, $"{Min}–{Max}"),
                KnobKind.Choice => "{" + string.Join(", ", Choices) + "}",
                _ => "text",
            };
            return IsList ? "each " + r : r;
        }
    }

    /// <summary>An integer-valued knob.</summary>
    public static Knob Numeric(string name, int min, int max, string description, int step = 1, bool isList = false)
    {
        if (max < min || step <= 0)
        {
            throw new ArgumentException($"knob {name}: range {min}..{max} step {step} is empty");
        }
        return new Knob(name, KnobKind.Numeric, min, max, step, [], isList, description);
    }

    /// <summary>A knob taking one of <paramref name="choices"/>.</summary>
    public static Knob Choice(string name, IReadOnlyList<string> choices, string description, bool isList = false)
    {
        ArgumentNullException.ThrowIfNull(choices);
        if (choices.Count == 0)
        {
            throw new ArgumentException($"knob {name} has no choices", nameof(choices));
        }
        return new Knob(name, KnobKind.Choice, 0, 0, 1, [.. choices], isList, description);
    }

    /// <summary>A free-text knob (validated by its space).</summary>
    public static Knob Text(string name, string description) =>
        new(name, KnobKind.Text, 0, 0, 1, [], false, description);

    /// <summary>True when <paramref name="value"/> is a value of this knob (each element, for list knobs).</summary>
    public bool Admits(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }
        if (Kind == KnobKind.Text)
        {
            return true;
        }
        if (!IsList)
        {
            return AdmitsOne(value);
        }
        foreach (string part in value.Split(','))
        {
            if (!AdmitsOne(part))
            {
                return false;
            }
        }
        return true;
    }

    private bool AdmitsOne(string value)
    {
        if (Kind == KnobKind.Choice)
        {
            foreach (string c in Choices)
            {
                if (string.Equals(c, value, StringComparison.Ordinal))
                {
                    return true;
                }
            }
            return false;
        }
        return int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v)
            && v >= Min && v <= Max && (v - Min) % Step == 0;
    }

    public override string ToString() => $"{Name}: {Range}";
}
