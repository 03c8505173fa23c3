namespace CommLab.Files;

/// <summary>The pickled numpy array <see cref="NumpyPickle.Write"/> writes: each layout is the file that
/// one Python and numpy write for <c>pickle.dump(numpy.array(labels), f, protocol)</c>, byte for byte
/// (within the limits <see cref="NumpyPickle.Write"/> states).</summary>
public enum NumpyLabelLayout
{
    /// <summary>dtype object (<c>'O'</c>), each label a Python 3 <c>str</c>, pickle protocol 2, as numpy
    /// 1.19-1.26 on Python 3 writes <c>numpy.array(labels, dtype=object)</c>.</summary>
    ObjectArray,

    /// <summary>dtype <c>'&lt;U n'</c> (n the longest label in code points, UCS-4 little-endian, padded
    /// with zeros), pickle protocol 2, as numpy 1.19-1.26 on Python 3 writes <c>numpy.array(labels)</c>.</summary>
    UnicodeArray,

    /// <summary>dtype <c>'|S n'</c> (each label's UTF-8 bytes, padded with zeros), pickle protocol 2, as
    /// Python 2's <c>pickle</c> module writes numpy 1.x's <c>numpy.array(labels)</c> of <c>str</c> (bytes)
    /// with <c>pickle.HIGHEST_PROTOCOL</c>: the way the signal game's <c>.objects</c> files were made if
    /// their script ran under Python 2.</summary>
    BytesArray,
}
