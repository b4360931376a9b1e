//! The framing of the two `COPY ... FROM STDIN` formats rows are encoded in; each value is
//! rendered by `sqlite2pg-value` (`binary::push_field`, `text::push_copy_text`).
//!
//! Text: tab-separated, `\N` for NULL, backslash escapes. Binary: PostgreSQL's binary tuple
//! format, which the server stores without parsing numbers, dates and escapes (on the 1M-row
//! benchmark, two binary streams load in 1.1 s what two text streams load in 1.6 s).


/// How a table's chunks are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// COPY's text format.
    Text,
    /// COPY's binary format.
    Binary,
}

/// What opens every binary COPY stream: signature, flags, header extension length.
pub(crate) const BINARY_HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";
/// What ends it: a tuple with field count -1.
pub(crate) const BINARY_TRAILER: &[u8] = &[0xff, 0xff];

/// The rows of a self-contained chunk (in the binary format: header, tuples, trailer) for a
/// COPY stream that carries many chunks: the writer sends the header once at the stream's
/// start and the trailer once at its end. A text chunk is all rows.
pub(crate) fn stream_slice(data: &[u8], format: Format) -> &[u8] {
    match format {
        Format::Text => data,
        Format::Binary => {
            debug_assert!(data.is_empty() || (data.starts_with(BINARY_HEADER) && data.ends_with(BINARY_TRAILER)), "a binary chunk is framed");
            let tuples = data.strip_suffix(BINARY_TRAILER).unwrap_or(data);
            tuples.strip_prefix(BINARY_HEADER).unwrap_or(tuples)
        }
    }
}

/// Start a binary tuple of `fields` fields.
pub(crate) fn push_tuple_start(out: &mut Vec<u8>, fields: usize) {
    out.extend_from_slice(&(fields as i16).to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_joined_into_one_stream_lose_only_their_framing() {
        let chunk = |tuples: &[u8]| [BINARY_HEADER, tuples, BINARY_TRAILER].concat();
        // Tuples that end like a trailer or start like a header lose nothing but the framing.
        let (a, b) = (chunk(&[0, 1, 0xff, 0xff]), chunk(b"PGCOPY\n\xff\r\n"));
        let stream = [BINARY_HEADER, stream_slice(&a, Format::Binary), stream_slice(&b, Format::Binary), BINARY_TRAILER].concat();
        assert_eq!(stream, [BINARY_HEADER, &[0, 1, 0xff, 0xff], b"PGCOPY\n\xff\r\n", BINARY_TRAILER].concat());
        assert_eq!(stream_slice(b"1\tx\n", Format::Text), b"1\tx\n");
    }
}
