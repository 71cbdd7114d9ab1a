//! The machinery that makes every CACAO object lossless.
//!
//! A CACAO object is a JSON object with known properties, unknown properties (custom or from a
//! newer spec version) and an author's key order. Signatures are computed over the canonical
//! form, and authors diff their files, so reading then writing an object must give back the same
//! keys, in the same order, with the same values. The [`cacao_object!`] macro generates, for each
//! object type, a struct with typed fields, an `extra` map for everything unknown and a
//! [`KeyOrder`] that remembers how the keys were written. Serialising follows that order; fields
//! set in code that the source did not have come after, in declaration order.

use std::fmt;

/// The order in which an object's keys appeared in its source.
///
/// Two objects that differ only in key order compare equal: the order is presentation, not data.
#[derive(Clone, Default)]
pub struct KeyOrder(pub(crate) Vec<String>);

impl KeyOrder {
    /// The keys in source order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    /// Whether `key` was present in the source.
    pub fn contains(&self, key: &str) -> bool {
        self.0.iter().any(|k| k == key)
    }
}

impl PartialEq for KeyOrder {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

impl fmt::Debug for KeyOrder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.0).finish()
    }
}

/// Chooses the Rust type of a field: `required` fields hold the value, `optional` ones an
/// `Option` of it.
#[doc(hidden)]
#[macro_export]
macro_rules! __field_type {
    (tag, $ty:ty) => { $ty };
    (required, $ty:ty) => { $ty };
    (optional, $ty:ty) => { ::core::option::Option<$ty> };
}

/// Turns the value collected while reading into the field's value, or reports a missing
/// required property.
#[doc(hidden)]
#[macro_export]
macro_rules! __field_finish {
    (required, $value:ident, $key:literal) => {
        $value.unwrap_or_default()
    };
    (tag, $value:ident, $key:literal) => {
        match $value {
            Some(value) => value,
            None => return Err(<A::Error as ::serde::de::Error>::missing_field($key)),
        }
    };
    (optional, $value:ident, $key:literal) => {
        $value
    };
}

/// A reference to the field's value when it is present.
#[doc(hidden)]
#[macro_export]
macro_rules! __field_present {
    (tag, $expr:expr) => {
        Some(&$expr)
    };
    (required, $expr:expr) => {
        Some(&$expr)
    };
    (optional, $expr:expr) => {
        $expr.as_ref()
    };
}

/// Whether a field that the source did not have should be written: tags always, required
/// fields when they hold more than their default, optional fields when set.
#[doc(hidden)]
#[macro_export]
macro_rules! __field_worth_writing {
    (required, $ty:ty, $value:expr) => {
        *$value != <$ty as ::core::default::Default>::default()
    };
    ($kind:ident, $ty:ty, $value:expr) => {
        true
    };
}

/// Defines a lossless CACAO object type.
///
/// Each line `"json_key" => field: kind<Type>` declares one known property. The kinds:
/// - `tag`: the `type` property that selects the object's kind; reading fails without it and it
///   is always written.
/// - `required`: a property the specification requires. The model reads documents that lack it
///   (the validator, not the model, reports missing properties, and real playbooks often lack
///   some), using the type's default; it is written when the source had it or when code set it
///   to something other than the default.
/// - `optional`: an `Option`.
///
/// Optional properties that are present with a JSON `null` where the type cannot hold
/// it are a read error, as the schema would say; use `serde_json::Value` to keep nulls.
#[doc(hidden)]
#[macro_export]
macro_rules! cacao_object {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[$field_meta:meta])*
                $key:literal => $field:ident : $kind:ident < $ty:ty >,
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq)]
        pub struct $name {
            $(
                $(#[$field_meta])*
                pub $field: $crate::__field_type!($kind, $ty),
            )*
            /// Properties this model does not know (custom properties, newer spec versions),
            /// kept verbatim.
            pub extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
            /// The key order of the source, used when writing the object back.
            pub key_order: $crate::KeyOrder,
        }

        impl $name {
            /// The JSON property names this type knows, in declaration order.
            pub const KNOWN_PROPERTIES: &'static [&'static str] = &[$($key),*];
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visitor;

                impl<'de> ::serde::de::Visitor<'de> for Visitor {
                    type Value = $name;

                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a CACAO ", stringify!($name), " object"))
                    }

                    fn visit_map<A: ::serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<$name, A::Error> {
                        $( let mut $field: ::core::option::Option<$ty> = None; )*
                        let mut extra = ::serde_json::Map::new();
                        let mut key_order = ::std::vec::Vec::new();

                        while let Some(key) = map.next_key::<::std::string::String>()? {
                            match key.as_str() {
                                $(
                                    $key => {
                                        if $field.is_some() {
                                            return Err(<A::Error as ::serde::de::Error>::duplicate_field($key));
                                        }
                                        $field = Some(map.next_value()?);
                                    }
                                )*
                                _ => {
                                    if extra.contains_key(&key) {
                                        return Err(<A::Error as ::serde::de::Error>::custom(
                                            format_args!("duplicate field `{key}`"),
                                        ));
                                    }
                                    let value: ::serde_json::Value = map.next_value()?;
                                    extra.insert(key.clone(), value);
                                }
                            }
                            key_order.push(key);
                        }

                        Ok($name {
                            $( $field: $crate::__field_finish!($kind, $field, $key), )*
                            extra,
                            key_order: $crate::KeyOrder(key_order),
                        })
                    }
                }

                deserializer.deserialize_map(Visitor)
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeMap;
                let mut map = serializer.serialize_map(None)?;

                // First every key the source had, in its order.
                for key in self.key_order.keys() {
                    match key {
                        $(
                            $key => {
                                if let Some(value) = $crate::__field_present!($kind, self.$field) {
                                    map.serialize_entry($key, value)?;
                                }
                            }
                        )*
                        other => {
                            if let Some(value) = self.extra.get(other) {
                                map.serialize_entry(other, value)?;
                            }
                        }
                    }
                }

                // Then what was set in code: known fields in declaration order, then extras.
                $(
                    if !self.key_order.contains($key) {
                        if let Some(value) = $crate::__field_present!($kind, self.$field) {
                            if $crate::__field_worth_writing!($kind, $ty, value) {
                                map.serialize_entry($key, value)?;
                            }
                        }
                    }
                )*
                for (key, value) in &self.extra {
                    if !self.key_order.contains(key) {
                        map.serialize_entry(key, value)?;
                    }
                }

                map.end()
            }
        }
    };
}

/// Defines an open vocabulary: known values as variants, anything else kept in `Other`.
#[doc(hidden)]
#[macro_export]
macro_rules! open_vocabulary {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $text:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$variant_meta])* $variant, )*
            /// A value outside the vocabulary, kept as written.
            Other(::std::string::String),
        }

        impl $name {
            /// Every value of the vocabulary as the specification spells it.
            pub const KNOWN: &'static [&'static str] = &[$($text),*];

            /// The value as written in JSON.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $text, )*
                    Self::Other(text) => text,
                }
            }

            /// Whether the value is one the specification lists.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Other(_))
            }
        }

        impl ::core::convert::From<&str> for $name {
            fn from(text: &str) -> Self {
                match text {
                    $( $text => Self::$variant, )*
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl ::core::default::Default for $name {
            fn default() -> Self {
                Self::Other(::std::string::String::new())
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <::std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Ok(Self::from(text.as_ref()))
            }
        }
    };
}

/// Defines a marker type for a `type` property that has exactly one legal value, such as
/// `"type": "action"` on an action step. It writes that value and refuses any other on reading.
#[doc(hidden)]
#[macro_export]
macro_rules! type_tag {
    ($name:ident, $text:literal) => {
        #[doc = concat!("The `type` value `", $text, "`.")]
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub struct $name;

        impl $name {
            /// The value as written in JSON.
            pub const TEXT: &'static str = $text;
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str($text)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                let text = <::std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                if text == $text {
                    Ok($name)
                } else {
                    Err(<D::Error as ::serde::de::Error>::invalid_value(
                        ::serde::de::Unexpected::Str(&text),
                        &concat!("\"", $text, "\""),
                    ))
                }
            }
        }
    };
}
